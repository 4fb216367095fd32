"""Pure renderers of the money screens: balance, history, payout quotes, the admins' requests."""

from __future__ import annotations

from gigbot.callbacks import HistoryPageTap, PayoutAction, PayoutDecide
from gigbot.handlers.views import Button, Screen, keyboard
from gigbot.i18n import Translator
from gigbot.payouts.history import HistoryLine, HistoryPage, Overview
from gigbot.payouts.payouts import Offer, Quote, RequestView
from gigbot.payouts.states import EntryKind, PayoutStatus

__all__ = ["balance_screen", "history_screen", "offer_screen", "quote_screen", "request_screen"]


def balance_screen(t: Translator, now: Overview) -> Screen:
    """/balance: pending, available, paid and this week's earnings."""
    b = now.balance
    text = t("balance.text", pending=t.money(b.pending), available=t.money(b.available),
             paid=t.money(b.paid), week=t.money(now.week))
    if b.reserved:
        text += "\n" + t("balance.reserved", amount=t.money(b.reserved))
    return Screen(text)


def _line(t: Translator, line: HistoryLine) -> str:
    day = t.day(line.day)
    amount = t.money(line.amount) if line.amount < 0 else "+" + t.money(line.amount)
    if line.kind is EntryKind.EARNING and line.project is not None:
        return t("history.earning", day=day, amount=amount, project=t.pick(line.project),
                 count=line.count)
    text = t(f"history.kind.{line.kind.value}", day=day, amount=amount)
    if line.project is not None:
        text += " · " + t.pick(line.project)
    if line.reason:
        text += " · " + t(f"acceptance.reason.{line.reason}")
    return text


def history_screen(t: Translator, page: HistoryPage) -> Screen:
    """/history: up to ten lines, newest first, with Older / Newer."""
    if not page.lines:
        return Screen(t("history.empty"))
    text = "\n".join([t("history.title"), "", *(_line(t, line) for line in page.lines)])
    row: list[Button] = []
    if page.newer:
        row.append((t("history.button.newer"), HistoryPageTap(page.page - 1)))
    if page.older:
        row.append((t("history.button.older"), HistoryPageTap(page.page + 1)))
    return Screen(text, keyboard([row]) if row else None)


def _account_button(t: Translator, has: bool) -> Button:
    return (t("payout.button.change_account" if has else "payout.button.set_account"),
            PayoutAction("acct", 0))


def offer_screen(t: Translator, offer: Offer) -> Screen:
    """/payout: the available balance with Withdraw / Other amount, or why not."""
    account = offer.account_masked or t("payout.no_account")
    if offer.waiting is not None:
        w = offer.waiting
        return Screen(t("payout.waiting_text", id=w.id, gross=t.money(w.gross),
                        net=t.money(w.net)))
    available = offer.balance.available
    if available < offer.minimum:
        return Screen(t("payout.below_minimum", minimum=t.money(offer.minimum),
                        available=t.money(available)),
                      keyboard([[_account_button(t, offer.account_masked is not None)]]))
    rows: list[list[Button]] = [
        [(t("payout.button.all", amount=t.money(available)), PayoutAction("all", 0))],
        [(t("payout.button.amount"), PayoutAction("amt", 0))],
        [_account_button(t, offer.account_masked is not None)],
    ]
    return Screen(t("payout.offer", available=t.money(available),
                    minimum=t.money(offer.minimum), account=account), keyboard(rows))


def quote_screen(t: Translator, q: Quote) -> Screen:
    """Gross, withholding and net before the worker confirms."""
    rate = f"{q.withholding_bp / 100:g}"
    text = t("payout.quote", gross=t.money(q.split.gross), rate=rate,
             withholding=t.money(q.split.withholding), net=t.money(q.split.net),
             account=q.account_masked or t("payout.no_account"))
    rows: list[list[Button]] = []
    if q.account_masked is not None:
        rows.append([(t("payout.button.confirm"), PayoutAction("ok", q.request_id))])
    rows.append([_account_button(t, q.account_masked is not None)])
    rows.append([(t("payout.button.cancel"), PayoutAction("no", q.request_id))])
    if q.account_masked is None:
        text += "\n\n" + t("payout.account_first")
    return Screen(text, keyboard(rows))


def request_screen(t: Translator, r: RequestView, *, buttons: bool = True) -> Screen:
    """A request as admins see it; Approve / Reject while it waits, Mark paid once approved."""
    text = t("payout.admin.case", id=r.id, worker=r.worker_pseudonym,
             tg_id=r.worker_tg_id or "—", gross=t.money(r.gross),
             withholding=t.money(r.withholding), net=t.money(r.net), account=r.account_masked)
    text += "\n" + t(f"payout.admin.status.{r.status.value}", admin=r.decided_by or "—")
    if r.reason:
        text += "\n" + t("payout.admin.reason_line", reason=r.reason)
    rows: list[list[Button]] = []
    if buttons and r.status is PayoutStatus.REQUESTED:
        rows = [[(t("payout.admin.button.approve"), PayoutDecide(r.id, 1)),
                 (t("payout.admin.button.reject"), PayoutDecide(r.id, 0))]]
    elif buttons and r.status is PayoutStatus.APPROVED:
        rows = [[(t("payout.admin.button.mark_paid"), PayoutDecide(r.id, 3))]]
    return Screen(text, keyboard(rows) if rows else None)
