"""The store side of sync with HQ (DESIGN.md section 6). No Qt: the UI wraps it.

Modules (each small, named by what it handles):
  wire            pydantic schema shared with hq_server (HQ may import it and gc_pause, nothing else here)
  gc_pause        the cycle collector kept off a push's hot path (store: heap_frozen; HQ: gc_paused)
  errors          typed exceptions: HQUnreachable (retry), NotEnrolled, HQRefused, DeviceRefused, ...
  client          HQClient: requests.Session, timeouts, gzip pushes, device-key auth
  state           what sync remembers, in the store's meta table (sync.* keys)
  enrol           enrol(db, url, token, name, who=ctx.who): one-time token -> store/device id + key
  handshake       protocol, clock skew (kept for StoreContext.corrected_now), the acked-events check, offline limits
  outbox          pending events in device_seq order (pending_batch: the push body built by SQLite),
                  HQ's answers, the acked count/hash, full re-push
  pull            the pull applier: a page of items and the cursor in one transaction
  catalogue       pulled rules, products, gifts, coupon types, campaigns, lotteries, staff, members
  remote_events   other stores' events, HQ's corrections and member snapshots into the local ledger
  lookup          find_or_fetch(db, client, phone_or_card): a member unknown here, fetched from HQ
  offline_limits  what is left of HQ's offline limits (window, store budget, per member)
  cycle           sync_once(db): handshake, push everything pending (batches in flight: PUSH_DEPTH), pull everything new
  scheduler       SyncScheduler: background thread, backoff with jitter, SyncStatus for the UI

For the UI:
    from pos_app.sync.scheduler import SyncScheduler
    sched = SyncScheduler(ctx.db, clock=ctx.clock, interval=30, on_status=cb)
    sched.start()                  # cb(SyncStatus) runs on the sync thread: re-emit it as a Qt signal
    sched.nudge()                  # after each sale
    sched.status(refresh=True)     # SyncStatus: state, online, pending, problems, last_success,
                                   #   last_error, next_attempt_in, offline_window_left, redeem_allowed,
                                   #   store_redeem_budget_left, clock_skew_s, clock_ok, hq_disagrees
    sched.stop()
Before redeeming offline: offline_limits.member_redeem_left(conn, member_id) and
SyncStatus.redeem_allowed. A member not found locally: lookup.find_or_fetch(db,
cycle.client_for(db), query) (network: run it off the UI thread).
"""
