"""The planning page's list of analyses costs the same number of queries for 3 rows as for 30."""

import pytest

from waystation.jobs.models import Job
from waystation.planner.models import Analysis

# sign-in (3), the analyses with their jobs and authors, the cities planned for, their districts
ANALYSES_LIST_QUERIES = 6


@pytest.mark.parametrize("rows", [3, 30])
def test_analyses_list_queries_do_not_grow_with_rows(
    rows, people, as_user, django_assert_max_num_queries
):
    analyses = []
    for i in range(rows):
        kind = ["coverage", "selection"][i % 2]
        job = Job.objects.create(kind="planner.analysis", created_by=people.alice)
        analyses.append(Analysis.objects.create(kind=kind, created_by=people.alice, job=job))
    c = as_user(people.alice)
    with django_assert_max_num_queries(ANALYSES_LIST_QUERIES):
        html = c.get("/staff/planning/").content.decode()
    assert all(f'<a href="/staff/planning/{a.pk}/">{a.pk}</a>' in html for a in analyses)
    assert html.count("新站选址</td>") == rows // 2
