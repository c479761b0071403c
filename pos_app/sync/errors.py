"""What can go wrong talking to HQ, as typed exceptions the scheduler and the UI can tell apart.

    SyncError                 base
      HQUnreachable           no connection, timeout, 5xx: retry later (backoff)
      NotEnrolled             this store has no device key yet: `pos-app enrol`
      HQRefused               HQ answered 4xx with a Problem (code, message)
        DeviceRefused         401/403: wrong or revoked device key; enrol again
        ProtocolMismatch      409 protocol: HQ and the app speak different protocol versions
        MemberUnknownAtHQ     404 member_unknown on a lookup
      HQAnswerInvalid         2xx but not the wire schema: a bug on one side
      EnrolmentRefused        the local database cannot be enrolled (events already recorded, ...)
"""

from __future__ import annotations


class SyncError(Exception):
    retryable = False


class HQUnreachable(SyncError):
    retryable = True


class NotEnrolled(SyncError):
    pass


class EnrolmentRefused(SyncError):
    pass


class HQAnswerInvalid(SyncError):
    retryable = True


class HQRefused(SyncError):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"HQ refused ({status} {code}): {message}")
        self.status, self.code, self.message = status, code, message


class DeviceRefused(HQRefused):
    pass


class ProtocolMismatch(HQRefused):
    pass


class MemberUnknownAtHQ(HQRefused):
    pass
