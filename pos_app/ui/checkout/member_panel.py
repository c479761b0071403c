"""Who the sale is for: name, tier, balance, points expiring soon, debt, risk flag."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout

from pos_app.ui.widgets import button, label


class MemberPanel(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.statement = None
        self.tier_names: dict[str, str] = {}
        self.name = label("", "title")
        self.tier = label("", "muted", wrap=True)  # wraps rather than widening the column
        self.balance = label("", "big")
        self.detail = label("", "muted", wrap=True)
        self.risk = label("", "risk")
        self.clear_button = button("✕")
        self.clear_button.setToolTip(self.tr("Remove member"))
        self.clear_button.setFixedWidth(48)
        head = QHBoxLayout()
        head.addWidget(self.name, 1)
        head.addWidget(self.risk)
        head.addWidget(self.clear_button)
        box = QVBoxLayout(self)
        box.addLayout(head)
        box.addWidget(self.tier)
        box.addWidget(self.balance)
        box.addWidget(self.detail)
        self.show_statement(None)

    def set_tiers(self, names: dict[str, str]) -> None:
        self.tier_names = names
        if self.statement is not None:
            self.show_statement(self.statement)

    def show_statement(self, st) -> None:
        self.statement = st
        self.clear_button.setVisible(st is not None)
        if st is None:
            self.name.setText(self.tr("No member"))
            self.tier.setText(self.tr("Scan the member's code or type a phone number"))
            self.balance.setText("")
            self.detail.setText("")
            self.risk.setVisible(False)
            return
        m = st.member
        self.name.setText(m.name)
        self.tier.setText(self.tr("Tier: %1 · Card %2 · %3").replace("%1", self.tier_names.get(m.tier, m.tier))
                          .replace("%2", m.card_no)
                          .replace("%3", m.phone[:3] + "****" + m.phone[-4:]))
        self.balance.setText(self.tr("%1 points").replace("%1", f"{st.balance:,}"))
        lines = [self.tr("Spendable now: %1").replace("%1", f"{st.spendable:,}")]
        if st.locked:
            lines.append(self.tr("Locked (not yet spendable): %1").replace("%1", f"{st.locked:,}"))
        if st.expiring_soon:
            day, pts = st.expiring_soon[0]
            lines.append(self.tr("Expiring soon: %1 on %2").replace("%1", f"{pts:,}").replace("%2", f"{day:%Y-%m-%d}"))
        if st.debt:
            lines.append(self.tr("Owes %1 points (repaid from the next earnings)").replace("%1", f"{st.debt:,}"))
        self.detail.setText(" · ".join(lines))  # one wrapped paragraph: the column is short at 768 px
        self.risk.setText(self.tr("Risk: %1").replace("%1", m.risk_flag or ""))
        self.risk.setVisible(bool(m.risk_flag))
