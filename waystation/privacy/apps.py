from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.privacy"
    label = "privacy"
