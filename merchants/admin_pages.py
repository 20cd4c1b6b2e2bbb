"""The Django admin's own pages for merchants beyond Django's: KYC decisions from the review page (with a
confirmation step, then the next submission in the queue), KYC documents, and suspension. Each page takes
the ModelAdmin it belongs to, for its permissions, its log and its messages; the writes are the same
services the admin API calls.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core.errors import DomainError

from .documents import kyc_document_response
from .models import KYCStatus, KYCSubmission, Merchant
from .services import kyc_approve, kyc_reject, merchant_reactivate, merchant_suspend


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="Emailed to the merchant.",
    )


def confirm_page(model_admin, request, *, title, intro, submit, cancel_url, form=None, danger=False, **extra):
    """The one confirmation page: what will happen, optionally a form (the reason), confirm or cancel."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "intro": intro,
        "submit": submit,
        "cancel_url": cancel_url,
        "form": form,
        "danger": danger,
        "items": extra.pop("items", ()),
        "hidden": extra.pop("hidden", ()),
        **extra,
    }
    return TemplateResponse(request, "admin/merchants/confirm.html", context)


def confirmed_write(model_admin, request, *, obj, write, needs_reason: bool, log: str, then, page: dict):
    """A confirmation page and its POST: show `page` (with a reason field when `needs_reason`) until it is
    posted complete, then `write(reason)`, log `log` on `obj` and return `then()`. A write the service refuses
    (DomainError) goes back to the page's cancel URL with the refusal's detail."""
    form = ReasonForm(request.POST if request.method == "POST" else None) if needs_reason else None
    if request.method != "POST" or (form is not None and not form.is_valid()):
        return confirm_page(model_admin, request, form=form, original=obj, **page)
    try:
        write(form.cleaned_data["reason"] if form is not None else "")
    except DomainError as exc:
        model_admin.message_user(request, str(exc.detail), messages.ERROR)
        return redirect(page["cancel_url"])
    model_admin.log_change(request, obj, log)
    return then()


# --- The KYC queue: submissions awaiting a decision, oldest first ---


def kyc_queue():
    return KYCSubmission.objects.filter(status=KYCStatus.SUBMITTED).order_by("submitted_at", "pk")


def kyc_queue_next(*, skip: KYCSubmission | None = None) -> KYCSubmission | None:
    """The submission to review next: the oldest waiting one, other than `skip`."""
    queue = kyc_queue().select_related("merchant")
    return (queue.exclude(pk=skip.pk) if skip is not None else queue).first()


def kyc_review_url(submission: KYCSubmission) -> str:
    return reverse("admin:merchants_kycsubmission_change", args=[quote(submission.pk)])


def kyc_queue_url() -> str:
    # The changelist's default view is the queue.
    return reverse("admin:merchants_kycsubmission_changelist")


def _decided_then_next(model_admin, request, *, done: str) -> HttpResponseRedirect:
    following = kyc_queue_next()
    if following is None:
        model_admin.message_user(request, f"{done} The KYC queue is empty.", messages.SUCCESS)
        return redirect(kyc_queue_url())
    waiting = kyc_queue().count()
    model_admin.message_user(
        request, f"{done} Next in queue ({waiting} waiting): {following.merchant}.", messages.SUCCESS
    )
    return redirect(kyc_review_url(following))


def kyc_decide_page(model_admin, request, submission_id, *, approve: bool):
    """Approve (confirm) or reject (reason, confirm) one submission from its review page, then go on to the
    next one in the queue."""
    if not model_admin.has_approve_kyc_permission(request):
        raise PermissionDenied
    submission = get_object_or_404(KYCSubmission.objects.select_related("merchant"), pk=submission_id)
    merchant = submission.merchant
    if submission.status != KYCStatus.SUBMITTED:
        model_admin.message_user(
            request, f"This submission was already decided ({submission.status}).", messages.WARNING
        )
        return redirect(kyc_review_url(submission))

    def write(reason: str) -> None:
        if approve:
            kyc_approve(merchant=merchant, decided_by=request.user)
        else:
            kyc_reject(merchant=merchant, decided_by=request.user, reason=reason)

    verb = "Approved" if approve else "Rejected"
    if approve:
        intro = [
            f"Approve the KYC of {merchant}? The merchant becomes active, receives its first webhook "
            "signing secret and is emailed."
        ]
    else:
        intro = [f"Reject the KYC of {merchant}? The merchant is emailed the reason and may submit again."]
    return confirmed_write(
        model_admin,
        request,
        obj=submission,
        write=write,
        needs_reason=not approve,
        log=f"{verb} KYC",
        then=lambda: _decided_then_next(model_admin, request, done=f"{verb} the KYC of {merchant}."),
        page={
            "title": ("Approve" if approve else "Reject") + f" KYC: {merchant}",
            "intro": intro,
            "items": [
                ("Legal name", submission.legal_name),
                ("Registration number", submission.registration_number),
                ("Tax id", submission.tax_id),
                ("Country", submission.country),
            ],
            "submit": "Yes, approve" if approve else "Reject with this reason",
            "danger": not approve,
            "cancel_url": kyc_review_url(submission),
            "decision": "approve" if approve else "reject",
        },
    )


def kyc_queue_next_page(model_admin, request, submission_id=None):
    """The "Next in queue" button, no decision: the oldest waiting submission other than the one on screen."""
    current = KYCSubmission.objects.filter(pk=submission_id).first() if submission_id else None
    following = kyc_queue_next(skip=current)
    if following is None:
        model_admin.message_user(request, "No other submission is waiting.", messages.INFO)
        return redirect(kyc_queue_url())
    return redirect(kyc_review_url(following))


def kyc_document_page(model_admin, request, submission_id, *, inline: bool):
    """The document from private storage, for staff allowed to see KYC submissions (the API's rule too)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return kyc_document_response(get_object_or_404(KYCSubmission, pk=submission_id), inline=inline)


# --- Bulk decisions from a changelist (merchants or submissions): confirmed first, as on the review page ---


def _decide(modeladmin, request, merchants, *, approve: bool, reason: str = "") -> None:
    done, skipped = [], []
    for merchant in merchants:
        try:
            if approve:
                kyc_approve(merchant=merchant, decided_by=request.user)
            else:
                kyc_reject(merchant=merchant, decided_by=request.user, reason=reason)
        except DomainError as exc:
            skipped.append(f"{merchant}: {exc.detail}")
        else:
            done.append(str(merchant))
    verb = "Approved" if approve else "Rejected"
    if done:
        modeladmin.message_user(request, f"{verb} KYC of {len(done)} merchant(s): {', '.join(done)}.")
    if skipped:
        modeladmin.message_user(request, "Not decided: " + "; ".join(skipped), level=messages.WARNING)


def kyc_bulk_decision_page(modeladmin, request, queryset, merchants, *, action_name: str, approve: bool):
    """Confirm (and, to reject, ask the reason) before deciding every selected merchant's pending KYC."""
    confirmed = "apply" in request.POST
    form = None if approve else ReasonForm(request.POST if confirmed else None)
    if confirmed and (form is None or form.is_valid()):
        _decide(
            modeladmin,
            request,
            merchants,
            approve=approve,
            reason=form.cleaned_data["reason"] if form else "",
        )
        return None  # back to the changelist
    if approve:
        intro = ["The pending KYC of these merchants will be approved; each becomes active and is emailed:"]
    else:
        intro = [
            "The pending KYC of these merchants will be rejected; each is emailed the reason and may resubmit:"
        ]
    return confirm_page(
        modeladmin,
        request,
        title="Approve KYC" if approve else "Reject KYC",
        intro=intro,
        names=[str(merchant) for merchant in merchants],
        form=form,
        submit="Approve" if approve else "Reject",
        danger=not approve,
        cancel_url=request.get_full_path(),
        hidden=[("action", action_name), ("apply", "1")]
        + [(helpers.ACTION_CHECKBOX_NAME, str(obj.pk)) for obj in queryset],
    )


# --- Suspension ---


def _merchant_url(merchant: Merchant) -> str:
    return reverse("admin:merchants_merchant_change", args=[quote(merchant.pk)])


def merchant_suspension_page(model_admin, request, merchant_id, *, suspend: bool):
    """Suspend (reason, confirm) or reactivate (confirm) a merchant, from its page."""
    if not model_admin.has_suspend_merchant_permission(request):
        raise PermissionDenied
    merchant = get_object_or_404(Merchant, pk=merchant_id)

    def write(reason: str) -> None:
        if suspend:
            merchant_suspend(merchant=merchant, suspended_by=request.user, reason=reason)
        else:
            merchant_reactivate(merchant=merchant, reactivated_by=request.user)

    def then():
        model_admin.message_user(request, f"{verb} {merchant}; the merchant is emailed.", messages.SUCCESS)
        return redirect(_merchant_url(merchant))

    verb = "Suspended" if suspend else "Reactivated"
    if suspend:
        intro = [
            f"Suspend {merchant}? Its API writes and its platform's webhooks are refused "
            "(403 merchant_suspended) until it is reactivated. Its orders stay trackable by its customers.",
            "The merchant is emailed the reason.",
        ]
    else:
        intro = [f"Reactivate {merchant}? It can write and receive webhooks again, with the secrets it had."]
    return confirmed_write(
        model_admin,
        request,
        obj=merchant,
        write=write,
        needs_reason=suspend,
        log=f"{verb} the merchant",
        then=then,
        page={
            "title": ("Suspend" if suspend else "Reactivate") + f" {merchant}",
            "intro": intro,
            "submit": "Suspend the merchant" if suspend else "Yes, reactivate",
            "danger": suspend,
            "cancel_url": _merchant_url(merchant),
            "decision": "suspend" if suspend else "reactivate",
        },
    )
