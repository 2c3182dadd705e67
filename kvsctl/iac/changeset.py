"""CloudFormation change sets (``aws cloudformation describe-change-set`` JSON): changes that destroy a
stream's video, or change its key where KVS cannot.

CloudFormation's resource reference says ``KmsKeyId`` updates "with no interruption"; the KVS API has
no way to change a stream's key (UpdateStream takes no KmsKeyId), so such a change set cannot do what it
says: it is reported as an error, as is any replacement (the stream and its video are deleted) and any
removal of a stream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kvsctl.iac.facts import ChangeFact, Loc, TemplateFacts
from kvsctl.iac.loader import TemplateError, line_of

STREAM = "AWS::KinesisVideo::Stream"


def read_change_set(data: Any, path: str, templates: Sequence[TemplateFacts]) -> TemplateFacts | None:
    """Add the change set's stream changes to the template declaring the stream (located there), or
    return a facts holder for them located in the change set file."""
    if not isinstance(data, Mapping) or not isinstance(data.get("Changes"), list):
        raise TemplateError(
            path,
            'not a change set: expected {"Changes": [...]} (aws cloudformation describe-change-set)',
            line_of(data) or 1,
        )
    own = TemplateFacts(path, "cloudformation")
    for item in data["Changes"]:
        change = item.get("ResourceChange") if isinstance(item, Mapping) else None
        if not isinstance(change, Mapping):
            raise TemplateError(path, "a change without ResourceChange", line_of(item) or None)
        if change.get("ResourceType") != STREAM:
            continue
        lid = str(change.get("LogicalResourceId") or "?")
        action = change.get("Action")
        replacement = str(change.get("Replacement") or "False")
        raw_details = change.get("Details")
        details: list[Any] = raw_details if isinstance(raw_details, list) else []
        names = [
            str(d.get("Target", {}).get("Name"))
            for d in details
            if isinstance(d, Mapping) and isinstance(d.get("Target"), Mapping) and d["Target"].get("Name")
        ]
        home = next((t for t in templates if any(s.id == lid for s in t.streams)), None)
        loc = next((s.loc for s in home.streams if s.id == lid), None) if home else None
        where = loc or Loc(path, line_of(change) or None)
        target = home or own
        what = ", ".join(names) or "properties"
        physical = change.get("PhysicalResourceId")
        label = f"{lid}" + (f" ({physical})" if physical else "")
        if action == "Remove":
            target.changes.append(ChangeFact(lid, "delete", where, f"change set removes stream {label} and its video"))
        elif action == "Modify" and replacement in ("True", "Conditional"):
            may = "replaces" if replacement == "True" else "may replace"
            target.changes.append(
                ChangeFact(
                    lid,
                    "replace",
                    where,
                    f"change set {may} stream {label} (changing {what}): the stream and all its stored video "
                    "are destroyed and an empty stream is created",
                )
            )
        elif action == "Modify" and "KmsKeyId" in names:
            target.changes.append(
                ChangeFact(
                    lid,
                    "key-in-place",
                    where,
                    f"change set updates KmsKeyId of stream {label} in place, but KVS cannot change a stream's key "
                    "(UpdateStream has no KmsKeyId): the update fails or the stream stays on its old key while the "
                    "template names the new one",
                )
            )
    return own if own.changes else None
