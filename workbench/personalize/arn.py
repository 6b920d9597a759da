"""Amazon Resource Names for the in-process Personalize resources.

Every resource the workbench creates gets an ARN shaped like the real service's,
``arn:aws:personalize:<region>:<account>:<resource-type>/<name>``, in a fake
account (``000000000000``) and ``us-east-1`` by default, so notebooks can copy
the same strings into boto3 calls later. Dataset ARNs carry the dataset group
name and the dataset type (``dataset/<group>/INTERACTIONS``); built-in recipes
have no region or account (``arn:aws:personalize:::recipe/aws-sims``).
"""

from __future__ import annotations

import dataclasses
import re

__all__ = [
    "DEFAULT_REGION",
    "DEFAULT_ACCOUNT",
    "Arn",
    "make_arn",
    "parse_arn",
    "recipe_arn",
    "dataset_arn",
]

DEFAULT_REGION = "us-east-1"
"""Region written into workbench ARNs."""

DEFAULT_ACCOUNT = "000000000000"
"""Account id written into workbench ARNs (obviously not a real account)."""

_ARN = re.compile(r"^arn:(?P<partition>[a-z\d-]+):personalize:(?P<region>[^:]*):(?P<account>[^:]*):"
                  r"(?P<resource_type>[a-z-]+)/(?P<name>.+)$")
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-_]*$")


@dataclasses.dataclass(frozen=True)
class Arn:
    """The parts of a Personalize ARN."""

    resource_type: str
    """``campaign``, ``event-tracker``, ``filter``, ``dataset-group``, ``dataset``, ``recipe``..."""

    name: str
    """Everything after the first ``/`` (``shop/ITEMS`` for a dataset)."""

    region: str = DEFAULT_REGION
    """AWS region (empty for built-in recipes)."""

    account: str = DEFAULT_ACCOUNT
    """Account id (empty for built-in recipes)."""

    partition: str = "aws"
    """``aws`` outside China and GovCloud."""

    def __str__(self) -> str:
        return f"arn:{self.partition}:personalize:{self.region}:{self.account}:{self.resource_type}/{self.name}"


def make_arn(resource_type: str, name: str, region: str = DEFAULT_REGION, account: str = DEFAULT_ACCOUNT) -> str:
    """ARN string of a workbench resource.

    Args:
        resource_type: e.g. ``"campaign"``.
        name: the resource name; letters, digits, ``-`` and ``_``, starting with a
            letter or digit (the naming rule of Personalize resources).

    Raises:
        ValueError: the name breaks the naming rule (the message says which character).
    """
    if not _NAME.match(name.split("/")[0]):
        raise ValueError(
            f"{resource_type} name {name!r} is not allowed: use letters, digits, '-' and '_', "
            "starting with a letter or a digit (e.g. 'shop-campaign')."
        )
    return str(Arn(resource_type, name, region, account))


def parse_arn(arn: str) -> Arn:
    """Split a Personalize ARN into its parts.

    Raises:
        ValueError: ``arn`` is not of the form ``arn:aws:personalize:<region>:<account>:<type>/<name>``.
    """
    match = _ARN.match(arn) if isinstance(arn, str) else None
    if match is None:
        raise ValueError(f"{arn!r} is not a Personalize ARN (arn:aws:personalize:<region>:<account>:<type>/<name>).")
    return Arn(match["resource_type"], match["name"], match["region"], match["account"], match["partition"])


def recipe_arn(recipe: str) -> str:
    """ARN of a built-in recipe or use case, e.g. ``recipe_arn("aws-sims")``."""
    return f"arn:aws:personalize:::recipe/{recipe}"


def dataset_arn(dataset_group_arn: str, dataset_type: str) -> str:
    """ARN of the ``INTERACTIONS`` / ``ITEMS`` / ``USERS`` dataset of a dataset group."""
    group = parse_arn(dataset_group_arn)
    return str(Arn("dataset", f"{group.name}/{dataset_type.upper()}", group.region, group.account, group.partition))
