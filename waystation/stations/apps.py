from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.stations"
    label = "stations"
