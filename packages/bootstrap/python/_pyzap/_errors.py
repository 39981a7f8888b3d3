"""What every part of the no-launcher runtime raises: an exit code and one line."""

CORRUPT = 65        # bundle corrupt or not a pyzap bundle
NO_CACHE = 73       # no usable cache directory
IO_ERROR = 74       # I/O error while extracting
DISK_FULL = 75      # ENOSPC / EDQUOT while extracting
LOCK_TIMEOUT = 76   # another process held the lock too long
NO_LZMA = 77        # a bytecode pack to unpack and a Python without lzma

class PyzapError(Exception):
    """A failure with its exit code; the message is one line, ending with the fix."""

    def __init__(self, code, message):
        Exception.__init__(self, message)
        self.code = code
        self.message = message
