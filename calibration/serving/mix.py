"""Request shapes and mixes (standard library only).

A shape is WIDTHxHEIGHTxFRAMESf/STEPSst, e.g. 64x64x9f/6st.
A mix is a comma-separated list of SHAPE[*WEIGHT][@SLO_SECONDS], e.g.
    64x64x9f/6st*0.6@8,96x64x9f/8st*0.4@10
(weights default to 1, SLOs to none).
"""
import re

TINY_MODEL_ID = "wan-tiny-a14b"   # pipeline.TINY_MODEL_ID, without importing torch

_SHAPE = re.compile(r"^(\d+)x(\d+)x(\d+)f/(\d+)st$")


def model_id(model, tiny):
    return TINY_MODEL_ID if tiny else model


def parse_shape(text):
    m = _SHAPE.match(text.strip())
    if not m:
        raise ValueError("bad shape %r: expected WIDTHxHEIGHTxFRAMESf/STEPSst, "
                         "e.g. 64x64x9f/6st" % text)
    w, h, f, s = (int(x) for x in m.groups())
    return {"width": w, "height": h, "frames": f, "steps": s}


def shape_label(s):
    return "%dx%dx%df/%dst" % (s["width"], s["height"], s["frames"], s["steps"])


def parse_mix(text):
    classes = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        slo = None
        weight = 1.0
        if "@" in part:
            part, slo_text = part.split("@", 1)
            slo = float(slo_text)
        if "*" in part:
            part, w_text = part.split("*", 1)
            weight = float(w_text)
        if weight <= 0:
            raise ValueError("mix weight must be positive: %r" % part)
        c = parse_shape(part)
        c["weight"] = weight
        c["slo_ms"] = slo * 1000 if slo is not None else None
        classes.append(c)
    if not classes:
        raise ValueError("empty mix")
    return classes


def pick(classes, rng):
    total = sum(c["weight"] for c in classes)
    u = rng.random() * total
    for c in classes:
        u -= c["weight"]
        if u < 0:
            return c
    return classes[-1]
