"""Batch inference jobs and batch segment jobs, with a local folder standing in for S3.

Both jobs read JSON Lines from an S3 location and write JSON Lines to another
(fact sheet §4.2):

* **Batch inference** (``CreateBatchInferenceJob``) runs on a custom solution version;
  one input line per user (``{"userId": "u1"}``, USER_PERSONALIZATION or Popularity-Count),
  per item (``{"itemId": "i9"}``, RELATED_ITEMS) or per user and candidate list
  (``{"userId": "u1", "itemList": [...]}``, PERSONALIZED_RANKING). Each output line adds
  ``recommendedItems`` and ``scores``; 25 results per line unless ``numResults`` says
  otherwise. Trending-Now and Next-Best-Action have no batch recommendations.
* **Batch segment** (``CreateBatchSegmentJob``) runs only on a USER_SEGMENTATION solution
  version (:mod:`workbench.recommenders.user_segmentation`): one line per item
  (``{"itemId": "105"}``, Item-Affinity, at most 500 per file) or per attribute query
  (``{"itemAttributes": "ITEMS.genres = \\"Comedy\\""}``, Item-Attribute-Affinity, at most
  10 per file), optionally with a user filter (``filterArn``; ``filterValues`` per line, fact
  sheet §4.1). Output lines follow the guide's examples:
  ``{"input": {"itemId": "105"}, "output": {"recommendedUsers": [...]}}`` and
  ``{"itemAttributes": "...", "output": {"recommendedUsers": [...]}}``. The fact sheet gives
  the inference lines (``userId`` / ``itemId`` / ``itemList`` in, ``recommendedItems`` and
  ``scores`` out) but no segment line: ``itemAttributes``, ``recommendedUsers`` and the
  ``ITEMS.<COLUMN> = "<value>"`` query syntax come from the guide's pages
  batch-segment-job-output-examples and batch-inference-job-output-examples, read for these
  shapes and not yet in the fact sheet.

:class:`LocalS3` maps ``s3://bucket/key`` to ``<root>/bucket/key``. As in S3, an input
path is a prefix: ``s3://b/in/`` reads every file under the folder (sub-folders included),
``s3://b/in/part`` every file whose key starts with ``b/in/part``.

Workbench choices (not service facts): jobs run at once and are ``ACTIVE`` when the call
returns; a job reads the solution version's model as it is at that moment (the model object
registered with ``create_solution_version``; the service reads new interactions within about
15 minutes, fact sheet §3.2); each input file ``<name>`` is answered by ``<name>.out`` in the
output folder, which must lie outside the input prefix and must not already hold that answer;
a line that cannot be answered is written with ``"output": null`` and an ``"error"`` text
(nothing is dropped); the description adds ``linesRead``, ``linesAnswered``, ``linesFailed``
and ``outputFiles``; a request the service would refuse (wrong kind of solution version, too
many queries in a file) is an ``InvalidInputException`` at Create time, before anything is
written. A batch segment job without ``numResults`` lists every trained user (the fact sheet
gives no default).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..errors import WorkbenchError

__all__ = [
    "BATCH_DEFAULT_RESULTS",
    "MAX_ATTRIBUTE_QUERIES_PER_FILE",
    "MAX_ITEM_QUERIES_PER_FILE",
    "BatchInputError",
    "BatchJob",
    "LocalS3",
    "S3PathError",
    "run_job",
]

BATCH_DEFAULT_RESULTS = 25
"""Results per line of a batch inference job when ``numResults`` is omitted (fact sheet §4.2)."""

MAX_ITEM_QUERIES_PER_FILE = 500
"""Item-Affinity: at most this many itemId lines per input file (fact sheet §2.1, DG:limits [2023])."""

MAX_ATTRIBUTE_QUERIES_PER_FILE = 10
"""Item-Attribute-Affinity: at most this many attribute queries per input file (fact sheet §2.1)."""


class S3PathError(WorkbenchError, ValueError):
    """An S3 path the local stand-in cannot map or find, or an output path it refuses."""


class BatchInputError(WorkbenchError, ValueError):
    """A batch input file that cannot be read at all (not UTF-8 text)."""


@dataclasses.dataclass(frozen=True)
class LocalS3:
    """A local folder playing S3: ``s3://bucket/key`` is ``root/bucket/key``."""

    root: Path
    """Folder that holds one sub-folder per bucket."""

    def path(self, uri: str, parameter: str) -> Path:
        """Local path of ``uri`` (``parameter`` names the request field in errors)."""
        return Path(self.root) / self._key(uri, parameter)

    @staticmethod
    def _key(uri: str, parameter: str) -> str:
        if not uri.startswith("s3://") or len(uri) <= len("s3://") or uri[5] == "/":
            raise S3PathError(f"{parameter}: {uri!r} is not an s3://bucket/key path.")
        key = uri[len("s3://"):]
        if ".." in Path(key).parts:
            raise S3PathError(f"{parameter}: {uri!r} may not contain '..'.")
        return key

    def inputs(self, uri: str, parameter: str) -> list[tuple[Path, str]]:
        """Files whose key starts with the input path, as S3 prefixes work, in key order.

        Returns ``(file, name)`` pairs; ``name`` is the file's key after the prefix's folder
        (``part-1.json``, ``2026/part-2.json``), which names its answer in the output folder.
        """
        prefix = self._key(uri, parameter)
        local = Path(self.root) / prefix
        base = local if prefix.endswith("/") or local.is_dir() else local.parent
        found = []
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                key = path.relative_to(self.root).as_posix()
                if path.is_file() and key.startswith(prefix):
                    found.append((path, path.relative_to(base).as_posix()))
        if not found:
            raise S3PathError(f"{parameter}: no input file at {uri!r} (looked in {local}). Write the JSON Lines "
                              "file there first, or fix the path.")
        return found

    def output_folder(self, uri: str, parameter: str, input_uri: str) -> Path:
        """Local folder for an output path (created if needed); refused inside the input prefix.

        The guide advises a separate output folder (fact sheet §4.2); here it is required,
        because answers written under the input prefix would be read as input by the next job.
        """
        key = self._key(uri, parameter).rstrip("/") + "/"
        if key.startswith(self._key(input_uri, "jobInput.s3DataSource.path")):
            raise S3PathError(f"{parameter}: {uri!r} lies under the input path {input_uri!r}; write the output to a "
                              "separate folder (the next job would read these answers as input).")
        folder = Path(self.root) / key
        folder.mkdir(parents=True, exist_ok=True)
        return folder


@dataclasses.dataclass
class BatchJob:
    """One finished batch inference or batch segment job (what Describe* returns)."""

    kind: str
    """``"batchInferenceJob"`` or ``"batchSegmentJob"``."""

    arn: str
    request: dict[str, Any]
    """The validated Create* request."""

    lines_read: int = 0
    lines_answered: int = 0
    lines_failed: int = 0
    output_files: list[str] = dataclasses.field(default_factory=list)
    """Local paths of the ``.out`` files written."""

    status: str = "ACTIVE"

    def describe(self) -> dict[str, Any]:
        """Like ``DescribeBatchInferenceJob`` / ``DescribeBatchSegmentJob``'s job block, plus the workbench's line counts."""
        return {**{k: v for k, v in self.request.items() if k != "tags"}, f"{self.kind}Arn": self.arn,
                "status": self.status, "linesRead": self.lines_read, "linesAnswered": self.lines_answered,
                "linesFailed": self.lines_failed, "outputFiles": list(self.output_files)}


def run_job(job: BatchJob, s3: LocalS3, answer: Callable[[dict[str, Any]], dict[str, Any]],
            check_file: Callable[[list[dict[str, Any]], Path], None] | None = None) -> BatchJob:
    """Read every input file of ``job``, answer each JSON line with ``answer`` and write ``<file>.out``.

    Every file is read and checked before any answer is written, so a refused job leaves no
    output behind. ``answer(line)`` returns the output line; an exception it raises (or a line
    that is not a JSON object) becomes that line's ``error``, naming the file and line number.
    ``check_file(lines, path)`` may refuse a whole file (raising), e.g. for too many queries.
    An answer file that already exists is not overwritten (another job wrote it).
    """
    source = job.request["jobInput"]["s3DataSource"]["path"]
    files = s3.inputs(source, "jobInput.s3DataSource.path")
    folder = s3.output_folder(job.request["jobOutput"]["s3DataDestination"]["path"],
                              "jobOutput.s3DataDestination.path", source)
    planned = []
    for path, name in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise BatchInputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); batch input files "
                                  "are JSON Lines in UTF-8.") from None
        parsed: list[dict[str, Any] | Exception] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
                if not isinstance(value, dict):
                    raise ValueError("a line must be a JSON object")
                parsed.append(value)
            except ValueError as exc:
                parsed.append(ValueError(f"{name} line {number}: not a JSON object ({exc}); "
                                         'write one object per line, e.g. {"userId": "u1"}'))
        if check_file is not None:
            check_file([p for p in parsed if isinstance(p, dict)], path)
        out = folder / f"{name}.out"
        if out.exists():
            raise S3PathError(f"jobOutput.s3DataDestination.path: {out} already exists (another job's answers); "
                              "give this job its own output folder.")
        planned.append((parsed, out))
    for parsed, out in planned:
        out_lines = []
        for value in parsed:
            job.lines_read += 1
            if isinstance(value, Exception):
                out_lines.append({"input": None, "output": None, "error": str(value)})
                job.lines_failed += 1
                continue
            try:
                out_lines.append(answer(value))
                job.lines_answered += 1
            except Exception as exc:  # noqa: BLE001 - each line's failure is reported in its output line
                out_lines.append({**_echo(value), "output": None, "error": _message(exc)})
                job.lines_failed += 1
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("".join(json.dumps(line) + "\n" for line in out_lines), encoding="utf-8")
        job.output_files.append(str(out))
    return job


def _echo(value: Mapping[str, Any]) -> dict[str, Any]:
    """How an output line repeats its input: attribute queries at the top level, the rest under ``input``."""
    if "itemAttributes" in value:
        return {"itemAttributes": value["itemAttributes"]}
    return {"input": dict(value)}


def _message(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        return f"{response['Error'].get('Code')}: {response['Error'].get('Message')}"
    return str(exc)
