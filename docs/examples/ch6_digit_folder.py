"""Write a two-class ImageFolder tree of RGB PNGs from ember's embedded MNIST digits.

No cat or dog photos ship with ember, so the ch6-catsdogs page uses this tree to show the
recipe working on real images: FOLDER/train/<class>/*.png and FOLDER/test/<class>/*.png, the
layout the book's cats-vs-dogs folders have. Usage: python ch6_digit_folder.py FOLDER
[--digits 3,8] [--train 400] [--test 100] [--size 64]"""
import argparse
import os

import numpy as np
from PIL import Image

from ember.datasets import load_mnist

NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder")
    p.add_argument("--digits", default="3,8")
    p.add_argument("--train", type=int, default=400, help="training images per class")
    p.add_argument("--test", type=int, default=100, help="test images per class")
    p.add_argument("--size", type=int, default=64, help="image side in pixels")
    args = p.parse_args()
    images, labels = load_mnist()
    rng = np.random.RandomState(0)
    for digit in (int(d) for d in args.digits.split(",")):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        need = args.train + args.test
        if len(idx) < need:
            raise SystemExit(f"only {len(idx)} images of digit {digit}; asked for {need}")
        for split, part in (("train", idx[:args.train]), ("test", idx[args.train:need])):
            d = os.path.join(args.folder, split, NAMES[digit])
            os.makedirs(d, exist_ok=True)
            for i in part:
                img = Image.fromarray(images[i].reshape(28, 28).astype(np.uint8), "L")
                img = img.resize((args.size, args.size), Image.BILINEAR).convert("RGB")
                img.save(os.path.join(d, f"{NAMES[digit]}.{i}.png"))
        print(f"digit {digit}: {args.train} train / {args.test} test images in "
              f"{os.path.join(args.folder, '{train,test}', NAMES[digit])}")


if __name__ == "__main__":
    main()
