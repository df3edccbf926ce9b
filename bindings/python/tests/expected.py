"""The values the mock's scenarios must turn into, written out in full."""

from __future__ import annotations

import datetime as dt

import droplet_action as da

UTC = dt.timezone.utc
STARTED = dt.datetime(2020, 11, 14, 16, 29, 21, tzinfo=UTC)
COMPLETED = dt.datetime(2020, 11, 14, 16, 30, 6, tzinfo=UTC)

NYC3 = da.Region(
    slug="nyc3",
    name="New York 3",
    sizes=(
        "s-1vcpu-1gb",
        "s-1vcpu-2gb",
        "s-1vcpu-3gb",
        "s-2vcpu-2gb",
        "s-3vcpu-1gb",
        "s-2vcpu-4gb",
        "s-4vcpu-8gb",
        "s-6vcpu-16gb",
        "s-8vcpu-32gb",
        "s-12vcpu-48gb",
        "s-16vcpu-64gb",
        "s-20vcpu-96gb",
        "s-24vcpu-128gb",
        "s-32vcpu-192g",
    ),
    features=(
        "private_networking",
        "backups",
        "ipv6",
        "metadata",
        "install_agent",
        "storage",
        "image_transfer",
    ),
    available=True,
)

DOCUMENTED = da.Action(
    id=36804636,
    status=da.ActionStatus.COMPLETED,
    status_text="completed",
    type="create",
    started_at=STARTED,
    completed_at=COMPLETED,
    resource_id=3164444,
    resource_type="droplet",
    region_slug="nyc3",
    region=NYC3,
)


def generated(droplet_id: int, action_id: int, status: str = "completed") -> da.Action:
    """An action the mock generates: ``completed_at`` is set unless it is in progress."""
    return da.Action(
        id=action_id,
        status=da.ActionStatus(status),
        status_text=status,
        type="create",
        started_at=STARTED,
        completed_at=None if status == "in-progress" else COMPLETED,
        resource_id=droplet_id,
        resource_type="droplet",
        region_slug="nyc3",
        region=NYC3,
    )

