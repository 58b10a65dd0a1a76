"""Masks shown on every page, export and API response."""


def mask_id_number(value: str) -> str:
    """`320***********1234`: the province prefix and the last four, nothing that identifies."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """`138****5678`."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_card(value: str) -> str:
    """`6222 **** **** 1234` style: first four and last four digits."""
    digits = value.replace(" ", "")
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
