from django import forms
from django.utils.translation import gettext_lazy as _

from waystation.accounts.models import City


class NoticeForm(forms.Form):
    city = forms.ModelChoiceField(queryset=City.objects.none(), label=_("城市"), empty_label=None)
    title = forms.CharField(label=_("标题"), max_length=60)
    body = forms.CharField(label=_("正文"), max_length=2000, required=False, widget=forms.Textarea)
    published = forms.BooleanField(label=_("发布到首页"), required=False)

    def __init__(self, *args: object, cities: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["city"].queryset = cities  # type: ignore[attr-defined]
