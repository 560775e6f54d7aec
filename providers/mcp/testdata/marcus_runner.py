"""Drive marcus with Marcus's own experiment-runner code.

Usage: marcus_runner.py EXPERIMENTS_DIR URL WORKDIR

EXPERIMENTS_DIR is dev-tools/experiments of a checkout of lwgray/marcus
(v0.3.8): this script imports its MarcusMCPClient (the runner's MCP client,
plain urllib) and the spawn controller's decisions (compute_spawn_count,
experiment_lifecycle_state, StallWatchdog) and runs them as
spawn_agents.py's run() does. Where Marcus starts agent CLIs in tmux (the
creator and the one-task workers), this script makes the calls their
prompts prescribe, through the same client. It prints one JSON object: what
it saw, and every problem (a missing field, a wrong type, a refusal).
"""

import json
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
from runners.marcus_client import MarcusMCPClient  # noqa: E402
from runners.spawn_controller import (  # noqa: E402
    StallWatchdog,
    compute_spawn_count,
    experiment_lifecycle_state,
)

URL, WORK = sys.argv[2], sys.argv[3]
INFO = os.path.join(WORK, "project_info.json")
IMPL = os.path.join(WORK, "implementation")
POLL = 0.2  # control_poll_seconds (Marcus's default is 30)
problems = []
lock = threading.Lock()


def problem(msg):
    with lock:
        problems.append(msg)


def check(what, result, fields):
    """Every field the runner or a prompt reads, with the JSON type it expects."""
    if result is None:
        problem(f"{what}: no structured result (result.structuredContent.result)")
        return {}
    for name, typ in fields.items():
        if name not in result:
            problem(f"{what}: no field {name}: {json.dumps(result)[:300]}")
        elif isinstance(result[name], bool) != (typ is bool) or not isinstance(result[name], typ):
            problem(f"{what}: {name} is {type(result[name]).__name__}, want {typ.__name__}")
    return result


def ok(client, tool, args, fields=None):
    res = client.call_tool(tool, args)
    if res is None or res.get("success") is False:
        problem(f"{tool}({json.dumps(args)[:200]}) failed: {res}")
        return res or {}
    return check(tool, res, fields or {})


def connect():
    c = MarcusMCPClient(marcus_url=URL, timeout=30)
    if not c.connect():
        raise SystemExit(json.dumps({"problems": [f"cannot connect to {URL}"]}))
    return c


def creator():
    """The project creator's prompt: ping, create_project, start_experiment."""
    c = connect()
    ok(c, "ping", {})
    options = {"complexity": "standard", "provider": "sqlite",
               "project_root": IMPL, "project_info_path": INFO}
    created = ok(c, "create_project", {"project_name": "Runner Replay",
                                       "description": "A todo app with user login, lists and reminders.",
                                       "options": options},
                 {"project_id": str, "board_id": str, "tasks_created": int})
    ok(c, "start_experiment", {"experiment_name": "runner_replay_experiment",
                               "run_name": "runner_replay_20260101",
                               "project_id": created.get("project_id"),
                               "board_id": created.get("board_id"),
                               "tags": {"project_type": "standard", "provider": "sqlite"},
                               "params": {"num_agents": 2}},
       {"experiment_name": str, "run_name": str})
    return created


def worker(template, n):
    """The worker prompt: project_id from ./project_info.json, register,
    request_next_task once, do the task with reports at 25/50/75/100, exit."""
    wd = os.path.join(WORK, f"worker-{n}")
    os.makedirs(wd, exist_ok=True)
    shutil.copy(INFO, os.path.join(wd, "project_info.json"))  # as the worker script does
    with open(os.path.join(wd, "project_info.json")) as f:
        project_id = json.load(f).get("project_id")
    aid = f"{template['id']}_{n}"
    c = connect()
    ok(c, "register_agent", {"agent_id": aid, "name": f"{template['name']} #{n}",
                             "role": template["role"], "skills": template["skills"],
                             "project_id": project_id})
    res = c.call_tool("request_next_task", {"agent_id": aid})
    if not res or not res.get("task"):
        return  # "no suitable tasks": exit at once
    task = check("request_next_task.task", res["task"], {"id": str, "name": str, "description": str})
    tid = task.get("id")
    ok(c, "get_task_context", {"task_id": tid, "project_root": wd}, {"context": dict})
    for pct in (25, 50, 75):
        ok(c, "report_task_progress", {"agent_id": aid, "task_id": tid, "status": "in_progress",
                                       "progress": pct, "message": f"{pct}% done"})
    ok(c, "log_decision", {"agent_id": aid, "task_id": tid,
                           "decision": "I chose plain functions because later tasks call them. This affects every caller."})
    ok(c, "log_artifact", {"task_id": tid, "filename": f"notes-{tid}.md", "content": "# notes\n",
                           "artifact_type": "documentation", "project_root": wd})
    ok(c, "report_task_progress", {"agent_id": aid, "task_id": tid, "status": "completed",
                                   "progress": 100, "message": "done"})


def control_loop(recommended):
    """spawn_agents.py run(), phase 2: poll, decide, spawn, until finished."""
    mcp = connect()
    watchdog = StallWatchdog(stall_polls=int(60 / POLL))
    templates = [{"id": "agent_unicorn", "name": "Unicorn Developer", "role": "full-stack",
                  "skills": ["python", "javascript"]}]
    live, spawned, seen_running, cycles, widest = [], 0, False, 0, None
    while True:
        cycles += 1
        status = check("get_experiment_status", mcp.call_tool("get_experiment_status"),
                       {"experiment_started": bool, "is_running": bool})
        is_running = bool(status.get("is_running", False))
        seen_running = seen_running or is_running
        state = experiment_lifecycle_state(bool(status.get("experiment_started", False)), is_running, seen_running)
        if state == "waiting":
            time.sleep(POLL)
            continue
        if state == "finished":
            break
        live = [t for t in live if t.is_alive()]
        signal = check("get_desired_agent_count", mcp.call_tool("get_desired_agent_count", {}),
                       {"desired_agent_count": int, "unclaimed_tasks": int, "max_layer_width": int})
        to_spawn = compute_spawn_count(int(signal.get("desired_agent_count", 0)), len(live),
                                       int(signal.get("unclaimed_tasks", 0)))
        if widest is None:
            widest = int(signal.get("max_layer_width", 0))
        check("get_experiment_status", status, {"completed_tasks": int, "total_tasks": int,
                                                "in_progress_tasks": int, "blocked_tasks": int})
        for _ in range(to_spawn):
            spawned += 1
            t = threading.Thread(target=worker, args=(templates[0], spawned))
            t.start()
            live.append(t)
        if watchdog.update(int(status.get("completed_tasks", 0)), int(status.get("in_progress_tasks", 0)),
                           int(status.get("blocked_tasks", 0))):
            problem(f"stalled: no task-count change for 60 s: {status}")
            break
        time.sleep(POLL)
    for t in live:
        t.join()
    return {"spawned": spawned, "cycles": cycles, "widest_layer": widest, "last_status": status}


def main():
    os.makedirs(IMPL, exist_ok=True)
    created = creator()
    with open(INFO) as f:  # wait_for_project_info, then the runner reads it
        info = check("project_info.json", json.load(f), {"project_id": str, "board_id": str, "tasks_created": int})
    rec = connect().call_tool("get_optimal_agent_count", {"include_details": False})
    recommended = int(check("get_optimal_agent_count", rec, {"optimal_agents": int}).get("optimal_agents", 0))
    # With config.yaml's max_agents the runner sends it as the cap.
    capped = check("get_desired_agent_count(max_agents=1)", connect().call_tool("get_desired_agent_count", {"max_agents": 1}),
                   {"desired_agent_count": int, "max_agents": int})
    if capped.get("desired_agent_count") != 1:
        problem(f"get_desired_agent_count capped at 1 wants {capped.get('desired_agent_count')} agents")
    out = control_loop(recommended)
    end = ok(connect(), "end_experiment", {}, {"run_name": str, "final_metrics": dict})
    out.update({"problems": problems, "tasks_created": info.get("tasks_created"),
                "project_id": created.get("project_id"), "recommended_agents": recommended,
                "final_metrics": end.get("final_metrics", {})})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
