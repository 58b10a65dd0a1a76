from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.core"
    label = "core"
