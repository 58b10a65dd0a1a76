from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import sessions  # noqa: F401 - stamps staff sessions at sign-in
