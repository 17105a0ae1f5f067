"""SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) of a JSS assessment, for CI
code-scanning dashboards.

One run, one rule per technique, one result per assessment:

- ``properties["security-severity"]`` (GitHub code scanning's severity property, a number 0.0-10.0
  as a string) is the JSS score; when the score is withheld it is the top of the consistent range,
  so that measuring less never shows as less severe.
- ``level``: ``error`` for High and Critical, ``warning`` for Medium, ``note`` below (by the rating,
  or the top of the range when withheld).
- logical locations name the technique (``kind: "module"``) and the target (``kind: "resource"``):
  there is no source file to point at.
- taxa: OWASP Top 10 for LLM Applications 2025 (LLM01 always; more where the evidence's tags name
  them) and MITRE ATLAS AML.T0054 (LLM Jailbreak), each a taxonomy in ``run.taxonomies``.
"""

from __future__ import annotations

import re
from typing import Any

from .. import __version__
from ._base import ATLAS_JAILBREAK, OWASP_LLM, ExportInput

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
OWASP = "OWASP Top 10 for LLM Applications"
ATLAS = "MITRE ATLAS"
LEVEL = {"Critical": "error", "High": "error", "Medium": "warning", "Low": "note", "None": "note"}


def _rule_id(technique: str) -> str:
    return "JSS/" + (re.sub(r"[^A-Za-z0-9_.\-]+", "-", technique).strip("-") or "technique")


def sarif_log(x: ExportInput) -> dict[str, Any]:
    a = x.assessment
    s = a.score
    withheld = s.withheld or s.value is None
    severity = s.high if withheld else s.value
    rating = s.rating_high if withheld else (s.rating or "None")
    owasp = x.owasp()
    rule_id = _rule_id(a.technique)
    score_text = (f"JSS {s.value:.1f} {s.rating}" if not withheld else
                  f"JSS withheld (range {s.low:.1f}-{s.high:.1f}, {s.rating_low} to {s.rating_high})")
    message = (f"{score_text}: jailbreak '{a.technique}' against {a.target}. Recommended response: "
               f"{a.response.action}, {a.response.within} (policy {a.response.policy}). Vector {a.vector}.")
    taxa = ([{"id": i, "toolComponent": {"name": OWASP}} for i in owasp]
            + [{"id": ATLAS_JAILBREAK[0], "toolComponent": {"name": ATLAS}}])
    rule = {
        "id": rule_id, "name": "JailbreakSeverity",
        "shortDescription": {"text": f"Jailbreak: {a.technique}"},
        "fullDescription": {"text": "A jailbreak technique measured with the Jailbreak Severity Scale (JSS)."},
        "defaultConfiguration": {"level": LEVEL.get(rating, "warning")},
        "properties": {"security-severity": f"{severity:.1f}",
                       "tags": ["security", "jailbreak", "llm", *[f"owasp-{i.lower()}" for i in owasp],
                                ATLAS_JAILBREAK[0]]},
        "relationships": [{"target": t, "kinds": ["relevant"]} for t in taxa],
    }
    result = {
        "ruleId": rule_id, "ruleIndex": 0, "level": LEVEL.get(rating, "warning"),
        "message": {"text": message},
        "locations": [{"logicalLocations": [
            {"name": a.technique, "fullyQualifiedName": f"technique/{a.technique}", "kind": "module"},
            {"name": a.target, "fullyQualifiedName": f"target/{a.target}", "kind": "resource"}]}],
        "partialFingerprints": {"jssSubmission/v1": a.submission},
        "taxa": taxa,
        "properties": {"security-severity": f"{severity:.1f}", "jss_vector": a.vector, "jss_score": s.value,
                       "jss_rating": s.rating, "withheld": withheld, "score_low": s.low, "score_high": s.high,
                       "assessment_id": a.id, "assessed_on": a.assessed_on, "taxonomy_tags": x.tags()},
    }
    return {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "jailscale", "version": __version__, "semanticVersion": __version__,
                                "rules": [rule],
                                "supportedTaxonomies": [{"name": OWASP, "index": 0}, {"name": ATLAS, "index": 1}]}},
            "taxonomies": [
                {"name": OWASP, "version": "2025", "organization": "OWASP",
                 "informationUri": "https://genai.owasp.org/llm-top-10/",
                 "taxa": [{"id": i, "name": OWASP_LLM[i]} for i in owasp]},
                {"name": ATLAS, "organization": "MITRE", "informationUri": "https://atlas.mitre.org/",
                 "taxa": [{"id": ATLAS_JAILBREAK[0], "name": ATLAS_JAILBREAK[1]}]},
            ],
            "results": [result],
        }],
    }
