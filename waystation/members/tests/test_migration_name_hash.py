"""Migration 0012 fills the name hash of the members there are, as the model computes it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from waystation.members.models import Member, name_hash
from waystation.members.tests.factories import make_member

BEFORE = [("members", "0011_tallies")]


@pytest.mark.django_db(transaction=True)
def test_existing_members_get_the_hash_of_their_name(orgs):
    made = [make_member(name=n).pk for n in ("张三", "Anna  Li", "阿依古丽•买买提")]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        assert "name_hash" not in {
            c.name for c in connection.introspection.get_table_description(
                connection.cursor(), "members_member"
            )
        }  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    hashes = dict(Member.objects.filter(pk__in=made).values_list("name", "name_hash"))
    assert hashes == {
        "张三": name_hash("张 三"),
        "Anna  Li": name_hash("anna li"),
        "阿依古丽•买买提": name_hash("阿依古丽·买买提"),
    }
