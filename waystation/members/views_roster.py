"""Staff pages for roster import: upload and list, template, preview, error file, commit."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from waystation.accounts.access import (
    AnyUser,
    AuthenticatedHttpRequest,
    get_in_scope_or_404,
    union_staff_required,
)
from waystation.accounts.models import OrgUnit
from waystation.core.http import attachment, flash_errors
from waystation.jobs.models import Job

from . import roster
from .exports import XLSX
from .models import RosterImport

LIST_SIZE = 50


class UploadForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label="导入到", empty_label=None)
    file = forms.FileField(
        label=_("名册文件（.xlsx、.xls、.et 或 .csv）"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(roster.EXTENSIONS)}),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = roster.importable_units(user)

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if upload.size > roster.MAX_BYTES:
            raise forms.ValidationError(
                f"文件过大（超过 {roster.MAX_BYTES // 1024 // 1024} MB），请分批导入"
            )
        return upload


def _import_for(user: AnyUser, pk: int) -> RosterImport:
    return get_in_scope_or_404(roster.imports_visible_to(user), pk=pk)


@union_staff_required
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imp = roster.roster_upload(
                user=request.user,
                unit=form.cleaned_data["unit"],
                filename=upload.name,
                data=upload.read(),
            )
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            return redirect("members:import_detail", imp.pk)
    recent = roster.imports_visible_to(request.user)[:LIST_SIZE]
    status = 400 if form.errors else 200
    return render(
        request, "members/roster_list.html", {"form": form, "imports": recent}, status=status
    )


@union_staff_required
def import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    cities = set(roster.importable_units(request.user).values_list("city_id", flat=True))
    return attachment(roster.template_bytes(cities), "roster-template.xlsx", XLSX)


@union_staff_required
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    S = RosterImport.Status
    imp = _import_for(request.user, pk)
    earlier = (
        roster.imports_visible_to(request.user)
        .filter(file_sha256=imp.file_sha256, status=RosterImport.Status.DONE)
        .exclude(pk=imp.pk)
        .first()
    )
    return render(
        request,
        "members/roster_detail.html",
        {
            "imp": imp,
            "job": imp.job,
            "earlier": earlier,
            "more_errors": max(imp.error_rows - len(imp.errors_preview), 0),
            "staging_days": roster.STAGING_DAYS,
            "can_commit": imp.status in (S.VALIDATED, S.COMMITTING)
            and imp.valid_rows > 0
            and (imp.job is None or imp.job.status in (Job.Status.DONE, Job.Status.FAILED)),
        },
    )


@union_staff_required
def import_errors(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    imp = _import_for(request.user, pk)
    data = roster.roster_errors_download(imp=imp, actor=request.user)
    if data is None:
        raise Http404
    return attachment(data, f"roster-{imp.pk}-errors.xlsx", XLSX)


@require_POST
@union_staff_required
def import_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    imp = _import_for(request.user, pk)
    try:
        roster.roster_commit_start(imp=imp, user=request.user)
    except ValidationError as e:
        flash_errors(request, e)
    return redirect("members:import_detail", imp.pk)
