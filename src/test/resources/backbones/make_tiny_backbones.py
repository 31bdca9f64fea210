#!/usr/bin/python3
"""Makes the tiny backbones Loupe's loader tests use (run once with Debian's python3-torch and python3-onnx:
/usr/bin/python3 make_tiny_backbones.py; the outputs are committed beside this script).

A tiny patch-4 "ViT": patch embedding conv, one linear layer over tokens with GELU, reshaped back to [B,C,h,w].
Written as TorchScript (torch.jit.trace) and ONNX (dynamic batch, height and width), each with a sidecar JSON
giving Loupe the patch size, normalisation, preferred size and channel count. expected.safetensors holds an RGB
image in [0,1] and the features the model gives for it after the sidecar's normalisation, so the Java tests check
the whole path (normalise, run, read back). Also a model whose output has rank 3, for the error message test.
"""
import json
import struct

import torch

torch.manual_seed(0)

PATCH = 4
CHANNELS = 8
MEAN = [0.5, 0.4, 0.3]
STD = [0.2, 0.25, 0.3]


class TinyBackbone(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = torch.nn.Conv2d(3, CHANNELS, PATCH, stride=PATCH)
        self.mix = torch.nn.Linear(CHANNELS, CHANNELS)

    def forward(self, x):
        f = self.patch_embed(x)                      # [B, C, h, w]
        b, c, h, w = f.shape
        t = f.flatten(2).transpose(1, 2)             # [B, h*w, C]
        t = t + torch.nn.functional.gelu(self.mix(t))
        return t.transpose(1, 2).reshape(b, c, h, w)  # [B, C, h, w]


class TokensOnly(torch.nn.Module):
    """Returns [B, h*w, C] tokens: a common export mistake Loupe must explain."""

    def __init__(self):
        super().__init__()
        self.patch_embed = torch.nn.Conv2d(3, CHANNELS, PATCH, stride=PATCH)

    def forward(self, x):
        return self.patch_embed(x).flatten(2).transpose(1, 2)


def write_safetensors(path, tensors):
    header = {}
    payload = b""
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [len(payload), len(payload) + len(data)]}
        payload += data
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(payload)


def sidecar(path):
    with open(path + ".json", "w") as f:
        json.dump({"patch_size": PATCH, "channels": CHANNELS, "mean": MEAN, "std": STD, "preferred_size": 32,
                   "name": "tiny test backbone"}, f, indent=2)
        f.write("\n")


def main():
    model = TinyBackbone().eval()
    example = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    traced.save("tiny_backbone.pt")
    sidecar("tiny_backbone.pt")

    torch.onnx.export(model, example, "tiny_backbone.onnx", input_names=["image"], output_names=["features"],
                      dynamic_axes={"image": {0: "batch", 2: "height", 3: "width"},
                                    "features": {0: "batch", 2: "h", 3: "w"}},
                      opset_version=14)
    sidecar("tiny_backbone.onnx")

    with torch.no_grad():
        tokens = torch.jit.trace(TokensOnly().eval(), example)
    tokens.save("tiny_tokens.pt")

    image = torch.rand(2, 3, 24, 40)  # two images, not square, 6 x 10 patches
    normalised = (image - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    with torch.no_grad():
        features = model(normalised)
        traced_features = traced(normalised)
    assert torch.allclose(features, traced_features, atol=1e-6)
    write_safetensors("expected.safetensors", {"image": image, "features": features})
    print("features", tuple(features.shape))


if __name__ == "__main__":
    main()
