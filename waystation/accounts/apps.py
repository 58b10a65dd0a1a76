from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.accounts"
    label = "accounts"
