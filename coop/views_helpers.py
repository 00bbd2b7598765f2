"""Small helpers shared by the page views of every app."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import redirect, render


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field where the form has the field."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


PAGE_SIZES = (25, 50, 100)


def paginate(request, queryset, per_page: int = 50):
    """The requested page; a page number out of range or not a number gives the nearest page.

    ``?per_page=`` picks one of PAGE_SIZES.
    """
    requested = request.GET.get("per_page", "")
    if requested.isdecimal() and int(requested) in PAGE_SIZES:
        per_page = int(requested)
    paginator = Paginator(queryset, per_page)
    number = request.GET.get("page", 1)
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def choose_cooperative(request, cooperatives, *, url_name: str, title: str):
    """An app's home: straight to the co-op's page when the user has one, a list to choose from
    when several, 403 when none. ``url_name`` takes the co-op's id as ``coop_id``."""
    cooperatives = list(cooperatives)
    if not cooperatives:
        raise PermissionDenied
    if len(cooperatives) == 1:
        return redirect(url_name, coop_id=cooperatives[0].pk)
    return render(request, "choose_cooperative.html",
                  {"cooperatives": cooperatives, "url_name": url_name, "title": title})


def run_form(request, form, action, success_message: str):
    """Call ``action(cleaned_data)`` (a service) for a valid form and say so to the user.

    Returns what the service returned (True when it returns nothing), or None when the form or the
    service refused; a service's errors are then on the form, field by field."""
    if not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, success_message)
    return True if result is None else result
