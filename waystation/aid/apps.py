from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.aid"
    label = "aid"
