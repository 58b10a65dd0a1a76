from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.jobs"
    label = "jobs"
