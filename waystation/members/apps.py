from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.members"
    label = "members"
