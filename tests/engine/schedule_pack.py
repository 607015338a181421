"""A pack whose schedule names each task's predecessor by a link to another task."""

from __future__ import annotations

import copy
from typing import Any

from tests.engine.sample_pack import SAMPLE


def job_module() -> dict[str, Any]:
    """Jobs of a project: `after` links the job it waits on; the Gantt draws them by `step`."""
    return {
        "id": "job",
        "title": {"en": "Job", "zh-CN": "工作"},
        "numbering": "J-{seq:3}",
        "title_field": "name",
        "schema": {
            "type": "object",
            "required": ["project", "name", "start", "finish"],
            "properties": {
                "project": {"type": "string", "x-ref": "project"},
                "step": {"type": "string", "maxLength": 20},
                "name": {"type": "string"},
                "start": {"type": "string", "format": "date"},
                "finish": {"type": "string", "format": "date"},
                "after": {"type": "string", "x-ref": "job", "title": "After"},
            },
        },
        "ui": {
            "list": {"columns": ["step", "name", "start", "finish", "after"], "sort": "step"},
            "views": [
                {
                    "type": "gantt",
                    "start": "start",
                    "end": "finish",
                    "depends_on": "after",
                    "key": "step",
                    "group": "project",
                }
            ],
        },
        "permissions": {"site_manager": {"read": "all", "create": True, "update": "all"}},
    }


def schedule_pack(**overrides: Any) -> dict[str, Any]:
    """The sample pack with the jobs module (under another id when told)."""
    pack = copy.deepcopy(SAMPLE)
    pack["modules"].append(job_module())
    pack.update(overrides)
    return pack


def jobs_pack() -> dict[str, Any]:
    """The jobs module alone, as a pack of its own beside one that holds `project`."""
    module = job_module()
    module.pop("permissions")  # only administrators work with it
    return {
        "format": "formwork.pack/1",
        "id": "jobs",
        "version": "1.0.0",
        "title": {"en": "Jobs", "zh-CN": "工作"},
        "modules": [module],
    }
