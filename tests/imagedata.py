"""Known data written into images, and checks that it is all there.

An ``Expected`` is a sparse raw file holding what an image chain must show;
each write goes to the image (through qemu-io, so QEMU's own code path) and
to the expected file alike, and ``assert_image_equals`` compares the two
with ``qemu-img compare``, every byte of the virtual disk.
"""

import os
import subprocess

MiB = 1024 * 1024


class Expected:

    def __init__(self, path, size):
        self.path = path
        with open(path, 'wb') as f:
            f.truncate(size)

    def copy(self, path):
        """The expected data as it is now, kept as another point in time."""
        # Sparse, or each point in time of a 1 GiB volume costs 1 GiB.
        subprocess.run(['cp', '--sparse=always', self.path, path],
                       check=True)
        other = Expected.__new__(Expected)
        other.path = path
        return other

    def write(self, image, fmt, pattern, offset, length):
        """Writes ``length`` bytes of ``pattern`` at ``offset`` into
        ``image`` (a path opened as ``fmt``) and into the expectation."""
        write_pattern(image, fmt, pattern, offset, length)
        with open(self.path, 'r+b') as f:
            f.seek(offset)
            f.write(bytes([pattern]) * length)


def write_pattern(image, fmt, pattern, offset, length):
    subprocess.run(['qemu-io', '-f', fmt, '-c',
                    'write -P %d %d %d' % (pattern, offset, length), image],
                   check=True, capture_output=True)


def image_equals(expected_path, image, fmt):
    """True when ``image`` (opened as ``fmt``, with its backing chain)
    shows exactly the bytes of the raw file ``expected_path``."""
    result = subprocess.run(['qemu-img', 'compare', '-q', '-f', 'raw',
                             '-F', fmt, expected_path, image],
                            capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise RuntimeError('qemu-img compare failed: %s' % result.stderr)
    return result.returncode == 0


def assert_image_equals(expected, image, fmt):
    path = getattr(expected, 'path', expected)
    assert image_equals(path, image, fmt), (
        '%s (%s) differs from the expected data %s' % (image, fmt, path))


def file_names(directory):
    return sorted(os.listdir(directory))
