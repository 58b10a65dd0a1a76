from django.apps import AppConfig


class Config(AppConfig):
    name = "waystation.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import selectors, sessions  # noqa: F401 - sign-in stamps; name cache on edits
