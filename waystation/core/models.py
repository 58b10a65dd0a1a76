from django.db import models, transaction


class Counter(models.Model):
    """Named counters for human-facing serial numbers (member numbers, claim numbers)."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def counter_take(name: str, n: int = 1) -> range:
    """Reserve n consecutive numbers of a counter; safe under concurrency (row lock)."""
    with transaction.atomic():
        Counter.objects.get_or_create(name=name)
        row = Counter.objects.select_for_update().get(name=name)
        start = row.value + 1
        row.value += n
        row.save(update_fields=["value"])
    return range(start, start + n)
