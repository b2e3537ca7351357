"""Image datasets with torchvision's names: ``ImageFolder``, ``DatasetFolder``, ``MNIST``,
``FashionMNIST``, and ``MNISTCSV`` for the Kaggle digit-recognizer CSV the book uses."""
from .vision import VisionDataset, StandardTransform  # noqa: F401
from .folder import (DatasetFolder, ImageFolder, IMG_EXTENSIONS, default_loader,  # noqa: F401
                     pil_loader, has_file_allowed_extension, is_image_file, find_classes,
                     make_dataset)
from .mnist import MNIST, FashionMNIST  # noqa: F401
from .csv import MNISTCSV, read_digit_csv  # noqa: F401

__all__ = ["VisionDataset", "DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "default_loader",
           "MNIST", "FashionMNIST", "MNISTCSV", "read_digit_csv"]
