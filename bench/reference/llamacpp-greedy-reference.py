#!/usr/bin/env python3
"""Re-create llama.cpp's greedy reference cases on this machine.

Reads the greedy cases (prompt ids) of a reference JSON, asks a running
llama-server (greedy, top-5 logprobs, no prompt cache) for each continuation,
and writes the same JSON shape with llama.cpp's output on this host.

    llama-server -m models/SmolLM2-135M-Instruct.Q4_1.gguf -t 2 --port 8090 -c 2048 &
    python3 bench/reference/llamacpp-greedy-reference.py \
        --reference Tests/TallyModelTests/Fixtures/smollm2-135m-q4_1.json \
        --server http://127.0.0.1:8090 --host-note "AMD EPYC, AVX2 (no AVX-512)" \
        --out Tests/TallyModelTests/Fixtures/smollm2-135m-q4_1.avx2-host.json
"""
import argparse
import json
import platform
import urllib.request


def complete(server, prompt_ids, n):
    body = {"prompt": prompt_ids, "n_predict": n, "temperature": 0, "n_probs": 5, "cache_prompt": False}
    req = urllib.request.Request(server + "/completion", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True)
    ap.add_argument("--server", default="http://127.0.0.1:8090")
    ap.add_argument("--host-note", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ref = json.load(open(a.reference))
    with urllib.request.urlopen(a.server + "/props", timeout=30) as r:
        props = json.load(r)
    flags = ""
    try:
        flags = " ".join(sorted({f for f in open("/proc/cpuinfo").read().split() if f.startswith(("avx", "fma", "f16c"))}))
    except OSError:
        pass
    out = {
        "model_file": ref["model_file"],
        "model_sha256": ref["model_sha256"],
        "reference": "llama-server (llama.cpp %s), greedy, n_probs 5, no prompt cache" % props.get("build_info", "?"),
        "host": {"cpu_flags": flags, "machine": platform.machine(), "note": a.host_note},
        "greedy": [],
    }
    for g in ref["greedy"]:
        r = complete(a.server, g["prompt_ids"], 32)   # the reference's budget: up to 32 ids
        steps = [{"id": p["id"], "top": [{"id": t["id"], "logprob": t["logprob"]} for t in p["top_logprobs"]]}
                 for p in r["completion_probabilities"]]
        out["greedy"].append({
            "prompt_ids": g["prompt_ids"],
            "output_ids": [s["id"] for s in steps],
            "stop_type": "eos" if r.get("stop_type") == "eos" else "limit",
            "steps": steps,
        })
    json.dump(out, open(a.out, "w"), indent=1)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
