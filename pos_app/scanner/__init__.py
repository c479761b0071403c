"""Scanner: from a code in front of the counter to a typed, verified result.

    formats     PM1 payloads: make and `parse` them (no Qt, no OpenCV: services import it)
    decoding    `Decoder().decode(frame)`: codes in a camera frame (zxing-cpp, zbar, OpenCV);
                tuning (its constants), regions, region_plan and passes are its parts
    camera      `CameraWorker`: any OpenCV source on a worker thread, Qt signals out
    wedge       `WedgeFilter`: keyboard-wedge scanner bursts become scans, not typing
    labels      signed label batches, PDF sheets and PNGs (`pos-app labels ...`)

What a code means (reasons, time steps, replay rule, key registries, prize tables) is
in pos_app.domain.codes. How the services use it:

    got = formats.parse(text, now=ctx.now(), trust=Trust(labels, members, devices),
                        symbology=decoded.symbology or None)
    Rejected          -> refuse with got.problem() (code "scan.<reason>"), record nothing
    MemberCard        -> find_member(ctx, got.card_no)
    DynamicMemberCode -> in the use case's transaction: formats.claim(got, guard) where the
                         guard's claim(key, expires_at) inserts into seen_codes (False if the
                         key is there)
    ProductLabel      -> points.label_earn(serial=got.serial, sku=got.sku, points=got.points,
                                           label_batch=got.batch)
    PickupCode        -> write off redemption got.redemption_id issued by store got.store_id
    ProductBarcode    -> product_for_code(ctx, got.code)

This package must not import pos_app.store, services, sync or ui (pyproject contracts).
"""
