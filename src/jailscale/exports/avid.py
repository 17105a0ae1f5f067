"""An AVID report (AI Vulnerability Database, https://avidml.org) of a JSS assessment, in the shape of
the ``avidtools`` ``Report`` datamodel (the same shape garak's ``--report`` AVID export writes): the
JSS vector, score, range and each metric's counts in ``metrics[0].results``; the taxonomy tags the
evidence carried (``avid-effect:security:S0403``...) mapped to the AVID SEP view; the tags kept
verbatim in the results.
"""

from __future__ import annotations

import re
from typing import Any

from .. import __version__
from ._base import ATLAS_JAILBREAK, ExportInput

#: AVID taxonomy (v0.2) SEP-view categories that tags in the evidence may name, with their labels as
#: the AVID taxonomy writes them (the labels the ``avidtools`` SepEnum accepts).
SEP = {
    "S0100": "Software Vulnerability", "S0200": "Supply Chain Compromise", "S0201": "Model Compromise",
    "S0202": "Software Compromise", "S0300": "Over-permissive API", "S0301": "Information Leak",
    "S0302": "Excessive Queries", "S0400": "Model Bypass", "S0401": "Bad Features",
    "S0402": "Insufficient Training Data", "S0403": "Adversarial Example", "S0500": "Exfiltration",
    "S0501": "Model inversion", "S0502": "Model theft", "S0600": "Data Poisoning", "S0601": "Ingest Poisoning",
    "E0100": "Bias/ Discrimination", "E0101": "Group fairness", "E0102": "Individual fairness",
    "E0200": "Explainability", "E0201": "Global explanations", "E0202": "Local explanations",
    "E0300": "User actions", "E0301": "Toxicity", "E0302": "Polarization/ Exclusion", "E0400": "Misinformation",
    "E0401": "Deliberative Misinformation", "E0402": "Generative Misinformation", "P0100": "Data issues",
    "P0101": "Data drift", "P0102": "Concept drift", "P0103": "Data entanglement", "P0104": "Data quality issues",
    "P0105": "Feedback loops", "P0200": "Model issues", "P0201": "Resilience/ Stability",
    "P0202": "OOD generalization", "P0203": "Scaling", "P0204": "Accuracy", "P0300": "Privacy",
    "P0301": "Anonymization", "P0302": "Randomization", "P0303": "Encryption", "P0400": "Safety",
    "P0401": "Psychological Safety", "P0402": "Physical safety", "P0403": "Socioeconomic safety",
    "P0404": "Environmental safety",
}
DOMAIN = {"S": "Security", "E": "Ethics", "P": "Performance"}
#: A jailbreak is an adversarial input that bypasses the model's safeguards (AVID S0403 and S0400).
JAILBREAK_SEP = ("S0400", "S0403")
_TAG = re.compile(r"^avid-effect:(security|ethics|performance):([SEP]\d{4})$", re.I)


def sep_codes(tags: list[str]) -> list[str]:
    codes = set(JAILBREAK_SEP)
    for t in tags:
        m = _TAG.match(t)
        if m and m.group(2).upper() in SEP:
            codes.add(m.group(2).upper())
    return sorted(codes)


def avid_report(x: ExportInput) -> dict[str, Any]:
    a = x.assessment
    s = a.score
    codes = sep_codes(x.tags())
    text = (f"Jailbreak technique '{a.technique}' against {a.target}, assessed with the Jailbreak Severity Scale "
            f"(JSS {a.provenance.spec_version}) on {a.assessed_on}: "
            + (f"score {s.value:.1f} ({s.rating})" if s.value is not None and not s.withheld else
               f"score withheld (not measured: {', '.join(s.missing)})")
            + f", consistent range {s.low:.1f}-{s.high:.1f}; vector {a.vector}.")
    results: dict[str, Any] = {
        "jss_vector": a.vector, "jss_score": s.value, "jss_rating": s.rating, "jss_label": s.label,
        "withheld": s.withheld, "score_low": s.low, "score_high": s.high,
        "rating_low": s.rating_low, "rating_high": s.rating_high,
        "response": {"action": a.response.action, "within": a.response.within, "policy": a.response.policy},
        "counts": dict(a.counts),
        "metrics": {m.abbr: {"value": m.value, "low": m.low, "high": m.high, "source": m.source,
                             "estimate": m.estimate, "interval": list(m.interval) if m.interval else None,
                             "counts": dict(m.counts)} for m in a.metrics},
        "judge": {"name": a.provenance.judge.name, "version": a.provenance.judge.version},
        "taxonomy_tags": x.tags(),
        "mitre_atlas": [ATLAS_JAILBREAK[0]],
        "owasp_llm_top10": x.owasp(),
        "assessment_id": a.id,
    }
    return {
        "data_type": "AVID",
        "data_version": "0.2",
        "metadata": {"report_id": f"jailscale-{a.id.removeprefix('sha256:')[:16]}"},
        "affects": {"developer": [], "deployer": [a.target], "artifacts": [{"type": "Model", "name": a.target}]},
        "problemtype": {"classof": "LLM Evaluation", "type": "Measurement",
                        "description": {"lang": "eng", "value": text}},
        "metrics": [{"name": "JSS", "detection_method": {"type": "Static Threshold",
                                                         "name": f"JSS {a.provenance.spec_version} vector"},
                     "results": results}],
        "references": [{"type": "source", "label": f"jailscale {__version__} assessment {a.id}",
                        "url": f"urn:jailscale:assessment:{a.id}"}],
        "description": {"lang": "eng", "value": text},
        "impact": {"avid": {"vuln_id": None, "risk_domain": sorted({DOMAIN[c[0]] for c in codes}),
                            "sep_view": [f"{c}: {SEP[c]}" for c in codes], "lifecycle_view": ["L05: Evaluation"],
                            "taxonomy_version": "0.2"}},
        "credit": [{"lang": "eng", "value": f"jailscale {__version__}"}],
        "reported_date": a.created_at.date().isoformat(),
    }
