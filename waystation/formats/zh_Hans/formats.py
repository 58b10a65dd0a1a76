# Chinese number formats with the comma grouping Chinese official documents and the report use
# ("180,686 人次", "¥2,806,600"); Django's zh_Hans locale leaves the separator empty.
from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
