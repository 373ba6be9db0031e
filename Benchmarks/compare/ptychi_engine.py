"""Pty-Chi's difference map or ePIE on a file made by `ptychite simulate`, timed per iteration.

Run by `Benchmarks/compare/run.sh`, which times `ptychite reconstruct` on the same file and scores both
objects with `ptychite compare`. Pty-Chi (Apache-2.0, https://github.com/AdvancedPhotonSource/pty-chi)
is installed from PyPI into a virtual environment by that script; nothing of it is part of Ptychite.

Seconds per iteration are the slope between two runs of different lengths, so that start-up and the
first iteration's set-up cancel. The longer run's object is written into a copy of a Ptychite result
of the same data (`--template`), on that result's grid, so that `ptychite compare` scores it exactly
as it scores Ptychite's own (its sub-pixel registration absorbs the grids' different origins).
"""
import argparse
import json
import resource
import shutil
import time

import h5py
import numpy as np
import torch

import ptychi.api as api
from ptychi.api.task import PtychographyTask


def load(cxi_path, truth_path):
    with h5py.File(cxi_path, "r") as f:
        data = f["entry_1/instrument_1/detector_1/data"][...].astype(np.float32)
    with h5py.File(truth_path, "r") as t:
        positions = t["entry_1/positions/true"][...]          # probe positions (y, x), metres
        pixel = float(t["entry_1/object/y_pixel_size"][()])
        probe = t["entry_1/probe/data"][...]                   # [modes, ny, nx], Σ|P|² in photons
    return data, positions / pixel, pixel, probe


def options_for(engine, chunk):
    """DM with Pty-Chi's defaults but `chunk_length`; ePIE as the paper's (one position per update, the
    full step with the normaliser max|P|², α = β = 1, as Ptychite's defaults)."""
    if engine == "DM":
        options = api.DMOptions()
        options.reconstructor_options.chunk_length = chunk
        return options
    options = api.EPIEOptions()
    options.reconstructor_options.batch_size = 1
    for part in (options.object_options, options.probe_options):
        part.optimizer = api.Optimizers.SGD
        part.step_size = 1
        part.alpha = 1
    return options


def reconstruct(engine, data, positions_px, pixel, probe, iterations, chunk):
    """Pty-Chi's `engine`, object and probe refined, positions fixed; returns the wall time of
    `task.run()` and the object."""
    options = options_for(engine, chunk)
    options.object_options.pixel_size_m = pixel
    options.object_options.optimizable = True
    options.probe_options.optimizable = True
    options.probe_position_options.optimizable = False
    options.reconstructor_options.num_epochs = iterations
    margin = data.shape[-1] + 16
    size = [int(np.ceil(np.ptp(positions_px[:, axis]))) + margin for axis in (0, 1)]
    task = PtychographyTask(
        options, diffraction_data=data,
        object_data=torch.ones([1, *size], dtype=torch.complex64),
        # The simulation's own probe (an advantage Ptychite's runs do not get: they start from a disc).
        # Pty-Chi's far field is the unnormalised FFT, Ptychite's the unitary one, so the same probe is
        # 1/√n as large in Pty-Chi's units.
        probe_data=torch.tensor(probe[None, ...] / np.sqrt(probe.shape[-2] * probe.shape[-1]), dtype=torch.complex64),
        probe_position_x_px=positions_px[:, 1], probe_position_y_px=positions_px[:, 0])
    start = time.perf_counter()
    task.run()
    return time.perf_counter() - start, task.get_data_to_cpu("object", as_numpy=True)[0]


def write_into_copy(obj, template, output):
    """`template` (a Ptychite result) copied to `output` with its object replaced by `obj`, cropped or
    padded with 1 at the bottom and right to the template's grid."""
    shutil.copyfile(template, output)
    with h5py.File(output, "r+") as result:
        dataset = result["entry_1/object/data"]
        height, width = dataset.shape[-2:]
        grid = np.ones((height, width), dtype=np.complex64)
        h, w = min(height, obj.shape[0]), min(width, obj.shape[1])
        grid[:h, :w] = obj[:h, :w]
        dataset[0] = grid


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cxi")
    parser.add_argument("truth")
    parser.add_argument("--template", required=True, help="a Ptychite result of the same data")
    parser.add_argument("--output", required=True, help="where the copy with Pty-Chi's object goes")
    parser.add_argument("--engine", choices=["DM", "ePIE"], default="DM")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=30, help="Pty-Chi's chunk_length (scan points per chunk)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data, positions_px, pixel, probe = load(args.cxi, args.truth)
    short = max(1, args.iterations // 4)
    short_seconds, _ = reconstruct(args.engine, data, positions_px, pixel, probe, short, args.chunk)
    long_seconds, obj = reconstruct(args.engine, data, positions_px, pixel, probe, args.iterations, args.chunk)
    write_into_copy(obj, args.template, args.output)
    print(json.dumps({"engine": f"Pty-Chi {args.engine}", "chunk_length": args.chunk, "threads": args.threads,
                      "iterations": args.iterations,
                      "seconds_per_iteration": (long_seconds - short_seconds) / (args.iterations - short),
                      # the whole process (PyTorch's libraries included), as for Ptychite's
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
