#!/usr/bin/env python3
"""Reads one stage of the Containerfile, so that the CI check replays the Containerfile's own steps
instead of a copy of them (check-runtime-stage.sh).

  containerfile.py FILE STAGE steps          the stage as shell calls, one per line, in order:
                                             step_arg NAME VALUE | step_env NAME VALUE | step_run CMD |
                                             step_workdir DIR | step_copy_from_build STAGE SRC DST
  containerfile.py FILE STAGE get KEY        one value, shell-quoted words on one line:
                                             arg:NAME, env:NAME, entrypoint, cmd, healthcheck (the CMD
                                             of HEALTHCHECK), expose, user, workdir, base, label:NAME

Only the instruction forms the Containerfile uses are understood; anything else stops with an error,
so that a new kind of step cannot be skipped silently by the check.
"""
import json
import re
import shlex
import sys


def fail(message):
    print(f"containerfile.py: {message}", file=sys.stderr)
    sys.exit(1)


def instructions(path):
    """(keyword, arguments) pairs; comments dropped, continuation lines joined (as the builders do)."""
    result, pending = [], ""
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            stripped = line.strip()
            if stripped.startswith("#") or (not stripped and not pending):
                continue
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            pending += line
            keyword, _, rest = pending.strip().partition(" ")
            result.append((keyword.upper(), rest.strip()))
            pending = ""
    if pending.strip():
        fail("the file ends inside a continued line")
    return result


def assignments(text):
    """NAME=VALUE pairs of ENV, LABEL or ARG (values may be double-quoted)."""
    pairs = []
    for word in shlex.split(text):
        name, equals, value = word.partition("=")
        if not equals:
            fail(f"'{text}': only the NAME=VALUE form is supported")
        pairs.append((name, value))
    return pairs


def exec_form(text, what):
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        fail(f"{what} must be in exec (JSON array) form, got: {text}")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        fail(f"{what} must be a JSON array of strings, got: {text}")
    return value


def stage(path, name):
    """The instructions of stage NAME (FROM ... AS NAME), and its base image."""
    found, base, body = False, None, []
    for keyword, rest in instructions(path):
        if keyword == "FROM":
            words = rest.split()
            if found:
                break
            if len(words) == 3 and words[1].upper() == "AS" and words[2] == name:
                found, base = True, words[0]
            continue
        if found:
            body.append((keyword, rest))
    if not found:
        fail(f"no stage '{name}' (FROM IMAGE AS {name}) in {path}")
    return base, body


def main():
    if len(sys.argv) < 4:
        fail("usage: containerfile.py FILE STAGE steps | get KEY")
    path, name, command = sys.argv[1], sys.argv[2], sys.argv[3]
    base, body = stage(path, name)
    values = {"base": [base], "expose": [], "user": [], "workdir": []}
    steps = []
    for keyword, rest in body:
        if keyword == "ARG":
            for arg_name, value in assignments(rest):
                values[f"arg:{arg_name}"] = [value]
                steps.append(["step_arg", arg_name, value])
        elif keyword == "ENV":
            for env_name, value in assignments(rest):
                values[f"env:{env_name}"] = [value]
                steps.append(["step_env", env_name, value])
        elif keyword == "LABEL":
            for label, value in assignments(rest):
                values[f"label:{label}"] = [value]
        elif keyword == "RUN":
            if rest.startswith("["):
                fail(f"RUN in exec form is not supported by the check: {rest}")
            steps.append(["step_run", rest])
        elif keyword == "WORKDIR":
            values["workdir"] = [rest]
            steps.append(["step_workdir", rest])
        elif keyword == "COPY":
            match = re.fullmatch(r"--from=(\S+)\s+(\S+)\s+(\S+)", rest)
            if not match:
                fail(f"only 'COPY --from=STAGE SRC DST' is supported by the check: COPY {rest}")
            steps.append(["step_copy_from_build", *match.groups()])
        elif keyword == "EXPOSE":
            values["expose"] += rest.split()
        elif keyword == "USER":
            values["user"] = [rest]
        elif keyword in ("ENTRYPOINT", "CMD"):
            values[keyword.lower()] = exec_form(rest, keyword)
        elif keyword == "HEALTHCHECK":
            match = re.fullmatch(r"((?:--\S+\s+)*)CMD\s+(\[.*\])", rest)
            if not match:
                fail(f"HEALTHCHECK must be '[OPTIONS] CMD [exec form]': {rest}")
            values["healthcheck"] = exec_form(match.group(2), "HEALTHCHECK CMD")
            values["healthcheck-options"] = match.group(1).split()
        else:
            fail(f"instruction {keyword} in stage '{name}' is not understood by the check")
    if command == "steps":
        for step in steps:
            print(shlex.join(step))
    elif command == "get" and len(sys.argv) == 5:
        key = sys.argv[4]
        if key not in values:
            fail(f"stage '{name}' sets no {key}")
        print(shlex.join(values[key]))
    else:
        fail(f"unknown command: {' '.join(sys.argv[3:])}")


if __name__ == "__main__":
    main()
