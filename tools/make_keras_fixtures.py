#!/usr/bin/python3
"""Reference outputs for the Keras .h5 import tests (tests/Genre.Tests/Interop/KerasTests.cs).

The weights are not stored: both this script and the tests compute them from one formula, exactly in
float32, in Keras' layout (Conv2D kernels (height, width, in, out), Dense kernels (in, out)). This
script runs the Keras forward pass of the tutorial's Sequential network in channels-last order (NHWC
activations, Flatten over (height, width, channels)) with Debian's python3-torch, in float64, and
writes the inputs and expected outputs as .npy files under tests/fixtures/.

    /usr/bin/python3 tools/make_keras_fixtures.py            # writes the fixtures
    /usr/bin/python3 tools/make_keras_fixtures.py --check model.h5 [--arch seed|compact] [--classes N]
        # reads an .h5 (e.g. from ./genre export-keras) with h5py the way Keras' loader does, and
        # checks it holds the formula's weights under Keras' names (needs python3-h5py)
    /usr/bin/python3 tools/make_keras_fixtures.py --write-h5 Trained_model.h5 [--arch seed|compact] [--classes N]
        # writes the formula's model as Keras 2's save_model_to_hdf5 does, through h5py (byte-string
        # attributes, sorted layer groups): a stand-in for the tutorial's Trained_model.h5
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "fixtures")

# The two networks of the family, as Keras layer lists: ("conv", filters, padding), ("pool",), ("dropout", rate), ("flatten",), ("dense", units, activation)
def network(name, classes):
    filters, dropout_after, dense, dense_dropout = {
        "seed": ([32, 64, 128, 256, 512], [2, 4], 1200, 0.45),
        "compact": ([16, 32, 64, 128], [3], 64, 0.3),
    }[name]
    layers = []
    for i, f in enumerate(filters):
        layers += [("conv", f, "same"), ("conv", f, "valid"), ("pool",)]
        if i in dropout_after:
            layers.append(("dropout", 0.3))
    return layers + [("flatten",), ("dense", dense, "relu"), ("dropout", dense_dropout), ("dense", classes, "softmax")]


def formula(count, salt, scale):
    """Values in [-scale, scale], exact in float32: ((k - 1001) / 1001) * scale, k = (7919 i + 104729 salt) mod 2003."""
    i = np.arange(count, dtype=np.int64)
    k = (i * 7919 + salt * 104729) % 2003
    return (k - 1001).astype(np.float32) / np.float32(1001) * np.float32(scale)


def kernel_scale(fan_in):
    """2^(1 - e) with 2^e <= sqrt(fan_in): a power of two, so the product stays exact."""
    e = (int(fan_in).bit_length() - 1) // 2
    return 2.0 ** (1 - e)


BIAS_SCALE = 1 / 16


def keras_weights(layers, height, width):
    """[(kernel, bias)] of every Conv2D and Dense layer, in Keras' layout, from the formula; salt = 2 * index (+1 for the bias)."""
    weights, channels, h, w, flat = [], 1, height, width, None
    for layer in layers:
        if layer[0] == "conv":
            f = layer[1]
            n = len(weights)
            kernel = formula(9 * channels * f, 2 * n, kernel_scale(9 * channels)).reshape(3, 3, channels, f)
            weights.append((kernel, formula(f, 2 * n + 1, BIAS_SCALE)))
            channels = f
            if layer[2] == "valid":
                h, w = h - 2, w - 2
        elif layer[0] == "pool":
            h, w = h // 2, w // 2
        elif layer[0] == "flatten":
            flat = channels * h * w
        elif layer[0] == "dense":
            n = len(weights)
            kernel = formula(flat * layer[1], 2 * n, kernel_scale(flat)).reshape(flat, layer[1])
            weights.append((kernel, formula(layer[1], 2 * n + 1, BIAS_SCALE)))
            flat = layer[1]
    return weights


def keras_forward(layers, weights, x):
    """Keras' Sequential forward pass, channels-last, float64; returns (logits, probabilities)."""
    x = torch.from_numpy(x.astype(np.float64))[..., None]  # (N, H, W, 1)
    it = iter(weights)
    logits = None
    for layer in layers:
        if layer[0] == "conv":
            k, b = next(it)
            k = torch.from_numpy(k.astype(np.float64))
            pad = 1 if layer[2] == "same" else 0
            # Keras: y[n, i, j, o] = b[o] + sum_{dy, dx, c} x[n, i + dy - pad, j + dx - pad, c] * k[dy, dx, c, o]
            y = F.conv2d(x.permute(0, 3, 1, 2), k.permute(3, 2, 0, 1), torch.from_numpy(b.astype(np.float64)), padding=pad)
            x = torch.relu(y.permute(0, 2, 3, 1))
        elif layer[0] == "pool":
            x = F.max_pool2d(x.permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1)
        elif layer[0] == "flatten":
            x = x.reshape(x.shape[0], -1)  # (height, width, channels) order, as Keras' Flatten
        elif layer[0] == "dense":
            k, b = next(it)
            y = x @ torch.from_numpy(k.astype(np.float64)) + torch.from_numpy(b.astype(np.float64))
            if layer[2] == "relu":
                x = torch.relu(y)
            else:
                logits, x = y, torch.softmax(y, dim=1)
    return logits.numpy(), x.numpy()


def check(path, arch, classes):
    import h5py
    with h5py.File(path, "r") as f:
        config = json.loads(f.attrs["model_config"])
        keras_layers = [l for l in config["config"]["layers"] if l["class_name"] != "InputLayer"]
        shape = config["config"]["layers"][0]["config"]["batch_input_shape"]
        g = f["model_weights"]
        layer_names = [n.decode() if hasattr(n, "decode") else n for n in g.attrs["layer_names"]]
        assert layer_names == [l["config"]["name"] for l in keras_layers], (layer_names, keras_layers)
        expected = iter(keras_weights(network(arch, classes), shape[1], shape[2]))
        for name in layer_names:
            names = [n.decode() if hasattr(n, "decode") else n for n in g[name].attrs["weight_names"]]
            if not names:
                continue
            kernel, bias = next(expected)
            for wname, want in zip(names, (kernel, bias)):
                got = np.asarray(g[name][wname])
                assert got.dtype == np.float32 and got.shape == want.shape, (name, wname, got.dtype, got.shape, want.shape)
                assert np.array_equal(got, want), (name, wname)
        print(f"{path}: keras_version {f.attrs['keras_version']}, {len(layer_names)} layers, weights equal the formula's")


def keras_config(layers, height, width):
    """model.to_json() of the network, as Keras 2 writes it (automatic layer names)."""
    counts, out = {}, []

    def name(kind):
        n = counts.get(kind, 0)
        counts[kind] = n + 1
        return kind if n == 0 else f"{kind}_{n}"

    shape = [None, height, width, 1]
    out.append({"class_name": "InputLayer", "config": {"batch_input_shape": shape, "dtype": "float32", "sparse": False, "ragged": False, "name": "conv2d_input"}})
    for layer in layers:
        if layer[0] == "conv":
            c = ("Conv2D", {"name": name("conv2d"), "filters": layer[1], "kernel_size": [3, 3], "strides": [1, 1], "padding": layer[2],
                            "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu", "use_bias": True})
        elif layer[0] == "pool":
            c = ("MaxPooling2D", {"name": name("max_pooling2d"), "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"})
        elif layer[0] == "dropout":
            c = ("Dropout", {"name": name("dropout"), "rate": layer[1], "noise_shape": None, "seed": None})
        elif layer[0] == "flatten":
            c = ("Flatten", {"name": name("flatten"), "data_format": "channels_last"})
        else:
            c = ("Dense", {"name": name("dense"), "units": layer[1], "activation": layer[2], "use_bias": True})
        if len(out) == 1:
            c[1]["batch_input_shape"] = shape
        out.append({"class_name": c[0], "config": c[1]})
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": out}, "keras_version": "2.12.0", "backend": "tensorflow"}


def write_h5(path, arch, classes):
    """What keras.saving.legacy.hdf5_format.save_model_to_hdf5 writes (Keras 2.12), through h5py."""
    import h5py
    layers = network(arch, classes)
    config = keras_config(layers, 150, 150)
    weights = iter(keras_weights(layers, 150, 150))
    keras_layers = config["config"]["layers"][1:]
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.12.0".encode("utf8")
        f.attrs["backend"] = "tensorflow".encode("utf8")
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.asarray([l["config"]["name"].encode("utf8") for l in keras_layers])
        g.attrs["backend"] = "tensorflow".encode("utf8")
        g.attrs["keras_version"] = "2.12.0".encode("utf8")
        values = {l["config"]["name"]: next(weights) for l in keras_layers if l["class_name"] in ("Conv2D", "Dense")}
        for name in sorted(l["config"]["name"] for l in keras_layers):
            lg = g.create_group(name)
            names = [f"{name}/kernel:0".encode("utf8"), f"{name}/bias:0".encode("utf8")] if name in values else []
            lg.attrs["weight_names"] = np.asarray(names)
            for wname, val in zip(names, values.get(name, ())):
                d = lg.create_dataset(wname.decode(), val.shape, dtype=val.dtype)
                d[:] = val
    print(f"{path}: Keras 2 layout of the '{arch}' network, {classes} classes, formula weights")


def main():
    if len(sys.argv) > 1 and sys.argv[1] in ("--check", "--write-h5"):
        args = sys.argv[2:]
        arch = args[args.index("--arch") + 1] if "--arch" in args else "seed"
        classes = int(args[args.index("--classes") + 1]) if "--classes" in args else 10
        (check if sys.argv[1] == "--check" else write_h5)(args[0], arch, classes)
        return
    os.makedirs(OUT, exist_ok=True)
    # Two 150x150 images with values in [0, 10] (mel power has this order of magnitude), from the same formula.
    x = (formula(2 * 150 * 150, 999, 5) + np.float32(5)).reshape(2, 150, 150)
    np.save(os.path.join(OUT, "keras_input.npy"), x)
    for arch, classes in (("seed", 10), ("compact", 6)):
        layers = network(arch, classes)
        logits, probs = keras_forward(layers, keras_weights(layers, 150, 150), x)
        np.save(os.path.join(OUT, f"keras_{arch}_logits.npy"), logits.astype(np.float32))
        np.save(os.path.join(OUT, f"keras_{arch}_probs.npy"), probs.astype(np.float32))
        print(arch, "logits", np.round(logits, 3).tolist())
        print(arch, "probabilities", np.round(probs, 4).tolist())


if __name__ == "__main__":
    main()
