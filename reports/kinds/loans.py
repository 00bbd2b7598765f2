"""A member's loan statement, and a loan round's report: each member's allocation and why."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coop.models import Role
from coop.tenancy import has_role
from loans.models import LoanRound, RoundStatus
from loans.permissions import LOAN_READERS
from loans.selectors import member_loans
from members.models import Member

from ..base import ReportKind, Table, int_value, register, text_value

ZERO = Decimal("0.00")


def _why(line) -> str:
    if line.excluded:
        return line.get_excluded_display()
    return _("capped at the maximum") if line.capped else _("pro rata to the boxes")


@register
class LoanStatement(ReportKind):
    """For the member themself, or the co-op's staff."""

    code = "loan_statement"
    name = gettext_lazy("Member's loan statement")
    template = "reports/loan_statement.html"
    readers = LOAN_READERS

    def fields(self, cooperative) -> dict:
        return {"member_number": forms.CharField(label=_("Member number"), max_length=20)}

    def clean_params(self, cooperative, data) -> dict:
        if data.get("member"):
            member = Member.objects.filter(cooperative=cooperative,
                                           pk=int_value(data, "member", _("Choose the member."))).first()
        else:
            number = text_value(data, "member_number", 20)
            member = Member.objects.filter(cooperative=cooperative, number=number).first() if number else None
        if member is None:
            raise ValidationError({"member_number": _("No member of %(coop)s has this number.") % {
                "coop": cooperative.short_name}})
        return {"member": member.pk}

    def allowed(self, user, cooperative_id, params) -> bool:
        own = Member.objects.filter(pk=params.get("member"), user_id=user.pk).exists() if params else False
        return own or super().allowed(user, cooperative_id, params)

    def may_ask(self, user, cooperative_id) -> bool:
        return has_role(user, cooperative_id, self.readers | {Role.MEMBER})

    def title(self, cooperative, params) -> str:
        member = Member.objects.get(pk=params["member"])
        return _("Loan statement of %(number)s %(name)s") % {"number": member.number, "name": member.full_name}

    def _loans(self, member):
        return member_loans(user=None, member=member)

    def context(self, report) -> dict:
        member = Member.objects.get(pk=report.params["member"])
        loans = self._loans(member)
        return {"member": member, "loans": loans,
                "owed": sum((item.balance for item in loans), ZERO),
                "lent": sum((item.loan.principal for item in loans), ZERO)}

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        member = Member.objects.get(pk=params["member"])
        loans = self._loans(member)
        return [
            Table(_("Loans"), [_("Round"), _("Lent on"), _("Lent"), _("Owed"), _("Status")],
                  [[str(item.line.round), item.loan.disbursed_on, item.loan.principal, item.balance,
                    item.loan.get_status_display()] for item in loans]),
            Table(_("Installments"), [_("Round"), _("Due on"), _("Amount")],
                  [[str(item.line.round), i.due_on, i.amount] for item in loans for i in item.schedule]),
            Table(_("Repayments"), [_("Round"), _("Date"), _("Amount"), _("How")],
                  [[str(item.line.round), p.date, p.amount, p.get_method_display()] for item in loans
                   for p in item.payments]),
        ]


@register
class RoundReport(ReportKind):
    code = "loan_round"
    name = gettext_lazy("Loan round report")
    template = "reports/loan_round.html"
    readers = LOAN_READERS

    def fields(self, cooperative) -> dict:
        rounds = (LoanRound.objects.filter(cooperative=cooperative).exclude(status=RoundStatus.CANCELLED)
                  .select_related("cooperative"))
        return {"round": forms.ModelChoiceField(label=_("Round"), queryset=rounds, empty_label=None)}

    def clean_params(self, cooperative, data) -> dict:
        value = data.get("round")
        round_id = value.pk if isinstance(value, LoanRound) else int_value(data, "round", _("Choose the round."))
        if not LoanRound.objects.filter(cooperative=cooperative, pk=round_id).exists():
            raise ValidationError({"round": _("Choose one of the co-op's rounds.")})
        return {"round": round_id}

    def title(self, cooperative, params) -> str:
        return _("Loan round %(round)s: who got what and why") % {"round": LoanRound.objects.get(pk=params["round"])}

    def _lines(self, loan_round):
        return loan_round.lines.select_related("member").order_by("member__number")

    def context(self, report) -> dict:
        loan_round = LoanRound.objects.select_related("policy", "proposed_by", "approved_by").get(
            pk=report.params["round"])
        lines = list(self._lines(loan_round))
        # The boxes of those who shared the pool (the excluded for debts or no production did not).
        totals = loan_round.lines.aggregate(lent=Sum("amount"),
                                            boxes=Sum("boxes", filter=Q(excluded="") | Q(amount__gt=0)))
        return {"round": loan_round, "lines": [(line, _why(line)) for line in lines],
                "lent": totals["lent"] or ZERO, "boxes": totals["boxes"] or 0,
                "members": sum(1 for line in lines if line.amount > 0)}

    def tables(self, cooperative, params, reader=None) -> list[Table]:
        loan_round = LoanRound.objects.get(pk=params["round"])
        return [Table(_("Round lines"), [_("Member"), _("Name"), _("Boxes"), _("Amount"), _("Why"), _("Declined")],
                      [[line.member.number, line.member.full_name, line.boxes, line.amount, _why(line),
                        line.declined_at.date() if line.declined_at else ""] for line in self._lines(loan_round)])]
