"""What every export reads: a stored assessment with its submission, suite and this judge's verdicts."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..formats import Assessment, Submission, Suite, Verdict

#: MITRE ATLAS technique for jailbreaks (https://atlas.mitre.org/techniques/AML.T0054), and the OWASP
#: Top 10 for LLM Applications 2025 entry that covers jailbreaking (LLM01:2025 Prompt Injection,
#: https://genai.owasp.org/llmrisk/llm01-prompt-injection/: "Jailbreaking is a form of prompt injection").
ATLAS_JAILBREAK = ("AML.T0054", "LLM Jailbreak")
OWASP_LLM = {
    "LLM01": "Prompt Injection", "LLM02": "Sensitive Information Disclosure", "LLM03": "Supply Chain",
    "LLM04": "Data and Model Poisoning", "LLM05": "Improper Output Handling", "LLM06": "Excessive Agency",
    "LLM07": "System Prompt Leakage", "LLM08": "Vector and Embedding Weaknesses", "LLM09": "Misinformation",
    "LLM10": "Unbounded Consumption",
}


@dataclass
class ExportInput:
    """A stored assessment and what it was computed from. ``verdicts`` are this assessment's judge's
    verdicts by transcript hash (absent ones are shown as "no verdict", never guessed)."""

    assessment: Assessment
    submission: Submission | None = None
    suite: Suite | None = None
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    def tags(self) -> list[str]:
        """Taxonomy tags carried by the suite's behaviours (garak's ``owasp:llm01``,
        ``avid-effect:security:S0403``...), sorted, each once."""
        if self.suite is None:
            return []
        return sorted({t for b in self.suite.behaviours for t in b.tags})

    def owasp(self) -> list[str]:
        """OWASP LLM Top 10 ids: LLM01 (a jailbreak is a prompt injection) and any the tags name."""
        ids = {"LLM01"}
        for t in self.tags():
            k, _, v = t.partition(":")
            if k.lower() == "owasp" and v.upper() in OWASP_LLM:
                ids.add(v.upper())
        return sorted(ids)
