"""`kvsctl audit template`: find the files, read each by its content, check the command line against
what they declare, and run the template audit. Offline: reads only the files named.

Every problem with the input -- a file that is neither a CloudFormation template nor a Terraform plan,
a template CloudFormation would reject, a ``--producer`` that names nothing -- is a UsageError naming
the file and line (exit 2) before anything is evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kvsctl.errors import UsageError, shown
from kvsctl.iac.audit import TemplateAudit, TemplateOptions, audit_templates
from kvsctl.iac.facts import TemplateFacts
from kvsctl.iac.loader import TemplateError, load
from kvsctl.workloads.paths import DEFAULT_READS

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
_SKIP_DIRS = {".git", ".terraform", "node_modules", "__pycache__", ".venv"}
MAX_FILES = 5000


@dataclass(frozen=True)
class TemplateAuditRequest:
    paths: Sequence[str]
    parameters: Sequence[str] = ()  # NAME=VALUE
    producers: Sequence[str] = ()
    consumers: Sequence[str] = ()
    require_customer_key: bool = False
    context: Mapping[str, str] = field(default_factory=dict)
    change_sets: Sequence[str] = ()
    strict: bool = False
    fail_on: str = "error"
    reads: tuple[str, ...] = DEFAULT_READS  # parsed --read paths (kvsctl.workloads.paths.parse_reads)
    producer_creates: bool = False


def parse_parameters(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(
                f"--parameter {shown(item)}: expected NAME=VALUE",
                hint="Example: --parameter StreamName=lobby-cam --parameter AWS::AccountId=111122223333",
            )
        if name in out and out[name] != value:
            raise UsageError(f"--parameter {name} given twice with different values")
        out[name] = value
    return out


def _is_cdk_out(folder: Path) -> bool:
    return (folder / "manifest.json").is_file() and any(folder.glob("*.template.json"))


def discover(paths: Sequence[str]) -> list[tuple[Path, bool]]:
    """(file, named explicitly) for every file to read; a folder is searched (a cdk.out folder for its
    ``*.template.json`` only)."""
    if not paths:
        raise UsageError("name at least one template, plan or folder", hint="Example: kvsctl audit template cdk.out")
    out: list[tuple[Path, bool]] = []
    for text in paths:
        p = Path(text)
        if p.is_dir():
            found: list[Path] = []
            for f in sorted(p.rglob("*")):
                if any(part in _SKIP_DIRS for part in f.relative_to(p).parts[:-1]) or not f.is_file():
                    continue
                if _is_cdk_out(f.parent):
                    if f.name.endswith(".template.json"):
                        found.append(f)
                elif f.suffix in TEMPLATE_SUFFIXES:
                    found.append(f)
            if not found:
                raise UsageError(
                    f"{text}: no template or plan in this folder",
                    hint="kvsctl reads *.json, *.yaml, *.yml and *.template files (in cdk.out: *.template.json).",
                )
            out += [(f, False) for f in found]
        elif p.exists():
            out.append((p, True))
        else:
            raise UsageError(f"{text}: no such file or folder", hint="Check the path.")
        if len(out) > MAX_FILES:
            raise UsageError(f"more than {MAX_FILES} files to read; name the templates or a narrower folder")
    return list(dict.fromkeys(out))


def _kind(data: Any) -> str | None:
    from kvsctl.iac.cloudformation import is_cloudformation
    from kvsctl.iac.terraform import is_terraform_plan

    if is_terraform_plan(data):
        return "terraform-plan"
    if is_cloudformation(data):
        return "cloudformation"
    return None


def read_all(req: TemplateAuditRequest) -> list[TemplateFacts]:
    from kvsctl.iac.cloudformation import read_cloudformation
    from kvsctl.iac.terraform import read_plan

    params = parse_parameters(req.parameters)
    templates: list[TemplateFacts] = []
    declared: set[str] = set()
    try:
        for path, explicit in discover(req.paths):
            data = load(path) if explicit or path.suffix in TEMPLATE_SUFFIXES else None
            kind = _kind(data)
            if kind is None:
                if explicit:
                    raise TemplateError(
                        str(path),
                        "neither a CloudFormation template (no Resources) nor a Terraform plan "
                        "(terraform show -json PLAN)",
                        getattr(data, "line", None) or 1,
                    )
                continue
            assert isinstance(data, dict)
            if kind == "cloudformation":
                declared_here = data.get("Parameters")
                declared |= set(declared_here) if isinstance(declared_here, dict) else set()
                templates.append(read_cloudformation(data, str(path), params))
            else:
                templates.append(read_plan(data, str(path), params))
        for cs in req.change_sets:
            from kvsctl.iac.changeset import read_change_set

            extra = read_change_set(load(Path(cs)), cs, templates)
            if extra is not None:
                templates.append(extra)
    except TemplateError as e:
        raise UsageError(str(e), hint="Fix the file; CloudFormation or Terraform would reject it too.") from None
    if not templates:
        raise UsageError("none of the files is a CloudFormation template or a Terraform plan")
    unknown = [n for n in params if not n.startswith("AWS::") and n not in declared and not n.startswith("var.")]
    if unknown and any(t.kind == "cloudformation" for t in templates):
        raise UsageError(
            f"--parameter {unknown[0]}: no template declares this parameter",
            hint="Parameter names are case-sensitive; pseudo parameters are spelled AWS::AccountId, AWS::Region.",
        )
    _check_principals(req, templates)
    return templates


def _check_principals(req: TemplateAuditRequest, templates: Sequence[TemplateFacts]) -> None:
    from kvsctl.services.audit_live import check_principal

    for flag, items in (("--producer", req.producers), ("--consumer", req.consumers)):
        for text in items:
            if any(text in t.principals or any(p.arn == text for p in t.principals.values()) for t in templates):
                continue
            if not (text.startswith("arn:") or text.isdigit()):
                raise UsageError(
                    f"{flag} {text}: no role or user with this logical id or address in the templates",
                    hint="Give a logical id (CameraRole), a Terraform address (aws_iam_role.camera) or an ARN.",
                )
            check_principal(text, flag)


def run(req: TemplateAuditRequest) -> TemplateAudit:
    templates = read_all(req)
    opts = TemplateOptions(
        producers=tuple(dict.fromkeys(req.producers)),
        consumers=tuple(dict.fromkeys(req.consumers)),
        require_customer_key=req.require_customer_key,
        context=dict(req.context),
        strict=req.strict,
        fail_on=req.fail_on,
        reads=req.reads,
        producer_creates=req.producer_creates,
    )
    return audit_templates(templates, opts)
