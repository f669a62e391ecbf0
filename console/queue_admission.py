"""Who may take one of the last places of the handoff queue (security review 3: 10 IPv4 addresses × 3 rows,
or 5 IPv6 /56s × 6, filled all 30 places and every next customer was told the queue is full).

The per-client and per-group caps (console/handoff_queue.py) stop one line; they cannot stop many cheap
addresses. So the last `reserved` places of the queue are kept for conversations an attacker cannot
mass-produce cheaply:

- a LINE user (each one a LINE account, its messages signed by LINE), and
- a conversation that verified itself with a one-time code sent to the account's registered contact
  (the action server, which holds the desk's service token, tells the desk so: `verified` in the
  enqueue request, from actions/conversation_state.py `is_verified`; a client cannot set it), one waiting row
  per verified account (`verified_account`, an opaque key of the identifier it verified: one customer's own
  account, verified from a few addresses, cannot fill the reserved places; security review 5, low).

Other rows (web, REST) also have tighter caps (console/handoff_queue.py, security review 4 M2: 7 IPv4
addresses × 3 or 4 /56s of one /48 × 6 filled the 20 unreserved places): 1 waiting row per client, 2 per
IPv6 /56 and 4 per network (an IPv4 /24, an IPv6 /48; review 5, N1: not 2, which one line of a carrier's
shared /48 could fill for all its subscribers), so filling the 20 places takes 5 networks. They may fill the queue up to `max_waiting - reserved` (reserved: at most a third); a priority row up to
`max_waiting`. The rule needs no column: it looks only at how many rows wait and at the newcomer.
Kept apart from the queue's flow so a rewrite of that flow (presence, waiting timeouts) keeps it as is.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIORITY_CHANNELS = frozenset({"line"})


@dataclass(frozen=True)
class Newcomer:
    """The conversation asking for a place: its channel and whether it verified itself."""

    channel: str
    verified: bool = False
    account_ref: str | None = None  # the verified account's opaque key: it may wait once

    @property
    def hard_to_mass_produce(self) -> bool:
        return self.verified or self.channel in PRIORITY_CHANNELS


def admits(waiting_including_newcomer: int, newcomer: Newcomer, max_waiting: int, reserved: int) -> bool:
    """Whether the queue, holding `waiting_including_newcomer` waiting rows with the newcomer's, takes it."""
    # At most a third of the queue is reserved, so a small queue keeps most of its places for everyone.
    limit = max_waiting if newcomer.hard_to_mass_produce else max_waiting - min(reserved, max_waiting // 3)
    return waiting_including_newcomer <= limit
