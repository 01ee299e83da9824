"""Data helpers from Keras 2.2's `keras.utils.data_utils`: `Sequence`, `get_file` and the
enqueuers that run generators and sequences in background threads or processes.
"""
import hashlib
import multiprocessing
import multiprocessing.pool
import os
import queue
import random
import shutil
import tarfile
import threading
import time
import zipfile

import numpy as np

from graphkeras.utils.progbar import Progbar

# Seconds to wait for a server before get_file reports the URL as unreachable.
_DOWNLOAD_TIMEOUT = 30


class Sequence(object):
    """Base object for fitting to a sequence of data, such as a dataset.

    Every `Sequence` must implement the `__getitem__` and the `__len__` methods.
    If you want to modify your dataset between epochs you may implement `on_epoch_end`.
    The method `__getitem__` should return a complete batch.

    Unlike a generator, a `Sequence` is safe to use with `workers > 1` and
    `use_multiprocessing=True`: every batch is produced once per epoch.

    # Example
    ```python
        class Batches(Sequence):
            def __init__(self, x, y, batch_size):
                self.x, self.y, self.batch_size = x, y, batch_size

            def __len__(self):
                return int(np.ceil(len(self.x) / float(self.batch_size)))

            def __getitem__(self, idx):
                part = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
                return self.x[part], self.y[part]
    ```
    """

    def __getitem__(self, index):
        """Gets batch at position `index`."""
        raise NotImplementedError('%s must implement __getitem__.' % type(self).__name__)

    def __len__(self):
        """Number of batches in the Sequence."""
        raise NotImplementedError('%s must implement __len__.' % type(self).__name__)

    def on_epoch_end(self):
        """Method called at the end of every epoch."""

    def __iter__(self):
        """Yields every batch of the Sequence, in order."""
        for index in range(len(self)):
            yield self[index]


# ---------------------------------------------------------------------------------------------
# get_file


def _hash_file(fpath, algorithm='sha256', chunk_size=65535):
    """The hex digest of a file with 'sha256' or 'md5'."""
    hasher = hashlib.md5() if algorithm == 'md5' else hashlib.sha256()
    with open(fpath, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm='auto', chunk_size=65535):
    """Validates a file against a sha256 or md5 hash.

    # Arguments
        fpath: path to the file being validated
        file_hash:  The expected hash string of the file.
            The sha256 and md5 hashing algorithms are both supported.
        algorithm: Hash algorithm, one of 'auto', 'sha256', or 'md5'.
            The default 'auto' detects the hash algorithm in use.
        chunk_size: Bytes to read at a time, important for large files.

    # Returns
        Whether the file is valid
    """
    if algorithm == 'sha256' or (algorithm == 'auto' and len(file_hash) == 64):
        hasher = 'sha256'
    else:
        hasher = 'md5'
    return str(_hash_file(fpath, hasher, chunk_size)) == str(file_hash)


def _extract_archive(file_path, path='.', archive_format='auto'):
    """Extracts a tar or zip archive into `path`; returns True if the file was an archive."""
    if archive_format is None:
        return False
    if archive_format == 'auto':
        archive_format = ['tar', 'zip']
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    openers = {'tar': (tarfile.open, tarfile.is_tarfile),
               'zip': (zipfile.ZipFile, zipfile.is_zipfile)}
    for kind in archive_format:
        open_fn, is_match_fn = openers[kind]
        if not is_match_fn(file_path):
            continue
        with open_fn(file_path) as archive:
            try:
                if kind == 'tar':
                    archive.extractall(path, filter='data')
                else:
                    archive.extractall(path)
            except (tarfile.TarError, RuntimeError, KeyboardInterrupt):
                if os.path.isfile(path):
                    os.remove(path)
                elif os.path.isdir(path):
                    shutil.rmtree(path)
                raise
        return True
    return False


def _cache_directory(cache_dir, cache_subdir):
    """The folder get_file stores into: cache_dir/cache_subdir, /tmp/.keras if not writable."""
    if cache_dir is None:
        cache_dir = os.path.join(os.path.expanduser('~'), '.keras')
    base = os.path.expanduser(cache_dir)
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):
        base = os.path.join('/tmp', '.keras')
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    return datadir


def _download(origin, fpath):
    """Copies `origin` (http, https, ftp or file URL) to `fpath`, with a progress bar."""
    import urllib.request  # lazy: only downloads need it (it costs 17 ms of import time)
    print('Downloading data from', origin)
    progress = [None]
    try:
        with urllib.request.urlopen(origin, timeout=_DOWNLOAD_TIMEOUT) as response:
            total = response.headers.get('Content-Length')
            total = int(total) if total else None
            with open(fpath, 'wb') as out:
                copied = 0
                while True:
                    chunk = response.read(8192)
                    if not chunk:
                        break
                    out.write(chunk)
                    copied += len(chunk)
                    if progress[0] is None:
                        progress[0] = Progbar(target=total)
                    progress[0].update(copied)
    except (OSError, ValueError) as e:  # urllib's URLError is an OSError
        if os.path.exists(fpath):
            os.remove(fpath)
        reason = getattr(e, 'reason', e)
        code = getattr(e, 'code', getattr(e, 'errno', None))
        raise Exception('URL fetch failure on {}: {} -- {}. get_file could not download the '
                        'file; if there is no network, copy it to {} or pass a file:// URL.'
                        .format(origin, code, reason, fpath)) from e


def get_file(fname, origin, untar=False, md5_hash=None, file_hash=None,
             cache_subdir='datasets', hash_algorithm='auto', extract=False,
             archive_format='auto', cache_dir=None):
    """Downloads a file from a URL if it not already in the cache.

    By default the file at the url `origin` is downloaded to the
    cache_dir `~/.keras`, placed in the cache_subdir `datasets`,
    and given the filename `fname`. The final location of a file
    `example.txt` would therefore be `~/.keras/datasets/example.txt`.
    `origin` may be a `file://` URL, which is how data reaches a machine without network.

    # Arguments
        fname: Name of the file. If an absolute path `/path/to/file.txt` is
            specified the file will be saved at that location.
        origin: Original URL of the file.
        untar: Deprecated in favor of 'extract'.
            boolean, whether the file should be decompressed
        md5_hash: Deprecated in favor of 'file_hash'.
            md5 hash of the file for verification
        file_hash: The expected hash string of the file after download.
            The sha256 and md5 hash algorithms are both supported.
        cache_subdir: Subdirectory under the Keras cache dir where the file is
            saved. If an absolute path `/path/to/folder` is
            specified the file will be saved at that location.
        hash_algorithm: Select the hash algorithm to verify the file.
            options are 'md5', 'sha256', and 'auto'.
            The default 'auto' detects the hash algorithm in use.
        extract: True tries extracting the file as an Archive, like tar or zip.
        archive_format: Archive format to try for extracting the file.
            Options are 'auto', 'tar', 'zip', and None.
        cache_dir: Location to store cached files, when None it
            defaults to the Keras directory `~/.keras`.

    # Returns
        Path to the downloaded file

    # Raises
        Exception: when the URL cannot be fetched, naming the URL and the reason.
        ValueError: when the downloaded file does not match `file_hash`.
    """
    if md5_hash is not None and file_hash is None:
        file_hash = md5_hash
        hash_algorithm = 'md5'
    datadir = _cache_directory(cache_dir, cache_subdir)

    if untar:
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + '.tar.gz'
    else:
        fpath = os.path.join(datadir, fname)

    download = not os.path.exists(fpath)
    if not download and file_hash is not None and not validate_file(fpath, file_hash,
                                                                    hash_algorithm):
        print('A local file was found, but it seems to be incomplete or outdated because the '
              + hash_algorithm + ' file hash does not match the original value of '
              + file_hash + ' so we will re-download the data.')
        download = True
    if download:
        _download(origin, fpath)
        if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
            raise ValueError('The file downloaded from {} to {} does not match the expected '
                             '{} hash {}.'.format(origin, fpath, hash_algorithm, file_hash))

    if untar:
        if not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format='tar')
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath


# ---------------------------------------------------------------------------------------------
# Enqueuers

# Sequences shared with pool workers: forked processes read them from this module global,
# so a Sequence is pickled once per epoch instead of once per batch.
_SHARED_SEQUENCES = {}
_SEQUENCE_COUNTER = [0]
_COUNTER_LOCK = threading.Lock()


def _init_pool(sequences):
    global _SHARED_SEQUENCES
    _SHARED_SEQUENCES = sequences


def get_index(uid, i):
    """Gets the value from the Sequence `uid` at index `i` (runs in a pool worker)."""
    return _SHARED_SEQUENCES[uid][i]


def _next_sequence_uid():
    with _COUNTER_LOCK:
        _SEQUENCE_COUNTER[0] += 1
        return _SEQUENCE_COUNTER[0]


class SequenceEnqueuer(object):
    """Base class to enqueue inputs.

    The task of an Enqueuer is to use parallelism to speed up preprocessing.
    This is done with processes or threads.

    # Example
    ```python
        enqueuer = SequenceEnqueuer(...)
        enqueuer.start()
        datas = enqueuer.get()
        for data in datas:
            # Use the inputs; training, evaluating, predicting.
            # ... stop sometime.
        enqueuer.stop()
    ```
    The `enqueuer.get()` should be an infinite stream of datas.
    """

    def is_running(self):
        raise NotImplementedError

    def start(self, workers=1, max_queue_size=10):
        """Starts the handler's workers.

        # Arguments
            workers: number of worker threads
            max_queue_size: queue size
                (when full, threads could block on `put()`).
        """
        raise NotImplementedError

    def stop(self, timeout=None):
        """Stop running threads and wait for them to exit, if necessary."""
        raise NotImplementedError

    def get(self):
        """Creates a generator to extract data from the queue."""
        raise NotImplementedError


class OrderedEnqueuer(SequenceEnqueuer):
    """Builds a Enqueuer from a Sequence.

    Batches come out in the order of the Sequence (shuffled per epoch with `shuffle=True`),
    computed ahead by a pool of threads or, with `use_multiprocessing`, of processes.

    # Arguments
        sequence: A `keras.utils.data_utils.Sequence` object.
        use_multiprocessing: use multiprocessing if True, otherwise threading
        shuffle: whether to shuffle the data at the beginning of each epoch
    """

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        self.sequence = sequence
        self.use_multiprocessing = use_multiprocessing
        self.uid = _next_sequence_uid()
        self.shuffle = shuffle
        self.workers = 0
        self.executor_fn = None
        self.queue = None
        self.run_thread = None
        self.stop_signal = None

    def is_running(self):
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers=1, max_queue_size=10):
        if self.use_multiprocessing:
            context = multiprocessing.get_context('fork')
            self.executor_fn = lambda seqs: context.Pool(workers, initializer=_init_pool,
                                                         initargs=(seqs,))
        else:
            # Threads share this module's global, so no initializer is needed.
            self.executor_fn = lambda seqs: multiprocessing.pool.ThreadPool(workers)
        self.workers = workers
        self.queue = queue.Queue(max_queue_size)
        self.stop_signal = threading.Event()
        self.run_thread = threading.Thread(target=self._run, daemon=True)
        self.run_thread.start()

    def _wait_queue(self):
        """Waits until the consumer has taken every batch of the epoch, or until stopped."""
        while not self.stop_signal.is_set():
            with self.queue.all_tasks_done:
                if self.queue.unfinished_tasks == 0:
                    return
            time.sleep(0.01)

    def _run(self):
        """Submits every index of every epoch to the pool, in order, until stopped."""
        while not self.stop_signal.is_set():
            indices = list(range(len(self.sequence)))
            if self.shuffle:
                random.shuffle(indices)
            _SHARED_SEQUENCES[self.uid] = self.sequence
            executor = self.executor_fn(_SHARED_SEQUENCES)
            try:
                for i in indices:
                    if self.stop_signal.is_set():
                        return
                    self._put(executor.apply_async(get_index, (self.uid, i)))
                self._wait_queue()
            finally:
                executor.close()
                if self.stop_signal.is_set():
                    executor.terminate()
                else:
                    executor.join()
            if self.stop_signal.is_set():
                return
            self.sequence.on_epoch_end()

    def _put(self, item):
        """Puts into the bounded queue, giving up when the enqueuer is stopped."""
        while not self.stop_signal.is_set():
            try:
                self.queue.put(item, block=True, timeout=0.1)
                return
            except queue.Full:
                continue

    def get(self):
        """Yields the batches of the Sequence in order, forever (until `stop`)."""
        while self.is_running():
            try:
                result = self.queue.get(block=True, timeout=0.1)
            except queue.Empty:
                continue
            try:
                inputs = result.get()
            except Exception:
                self.stop()
                raise
            finally:
                self.queue.task_done()
            if inputs is not None:
                yield inputs

    def stop(self, timeout=None):
        self.stop_signal.set()
        with self.queue.mutex:
            self.queue.queue.clear()
            self.queue.unfinished_tasks = 0
            self.queue.not_full.notify_all()
            self.queue.all_tasks_done.notify_all()
        if self.run_thread is not threading.current_thread():
            self.run_thread.join(timeout)
        _SHARED_SEQUENCES.pop(self.uid, None)


class GeneratorEnqueuer(SequenceEnqueuer):
    """Builds a queue out of a data generator.

    With threads the generator is shared under a lock. With `use_multiprocessing` every process
    runs its own copy of the generator, so each batch may be produced once per process: use a
    `Sequence` when that matters.

    # Arguments
        generator: a generator function which yields data
        use_multiprocessing: use multiprocessing if True, otherwise threading
        wait_time: time to sleep in-between calls to `put()`
        seed: Initial seed for workers,
            will be incremented by one for each worker.
    """

    def __init__(self, generator, use_multiprocessing=False, wait_time=0.05, seed=None):
        self.wait_time = wait_time
        self._generator = generator
        self._use_multiprocessing = use_multiprocessing
        self._generator_lock = threading.Lock()
        self._workers = []
        self._stop_event = None
        self.queue = None
        self.seed = seed

    def _produce(self, worker_index):
        """Worker loop: pulls from the generator into the queue; errors go to the queue."""
        if self._use_multiprocessing:
            seed = None if self.seed is None else self.seed + worker_index
            np.random.seed(seed)
            random.seed(seed)
        while not self._stop_event.is_set():
            try:
                with self._generator_lock:
                    output = next(self._generator)
            except StopIteration:
                break
            except Exception as e:
                # Queue the error before raising the stop flag, so `get` sees it.
                self._put_until_stopped((False, e))
                self._stop_event.set()
                break
            self._put_until_stopped((True, output))

    def _put_until_stopped(self, item):
        """Puts into the bounded queue, giving up when the enqueuer is stopped (so a worker
        never blocks forever on a queue nobody reads)."""
        while not self._stop_event.is_set():
            try:
                self.queue.put(item, block=True, timeout=0.1)
                return
            except queue.Full:
                continue

    def start(self, workers=1, max_queue_size=10):
        if self._use_multiprocessing:
            context = multiprocessing.get_context('fork')
            self.queue = context.Queue(maxsize=max_queue_size)
            self._stop_event = context.Event()
            make_worker = context.Process
        else:
            self.queue = queue.Queue(maxsize=max_queue_size)
            self._stop_event = threading.Event()
            make_worker = threading.Thread
        for i in range(workers):
            worker = make_worker(target=self._produce, args=(i,), daemon=True)
            self._workers.append(worker)
            worker.start()

    def is_running(self):
        return self._stop_event is not None and not self._stop_event.is_set()

    def stop(self, timeout=None):
        """Stops the workers and waits `timeout` seconds for each of them."""
        if self._stop_event is not None:
            self._stop_event.set()
        for worker in self._workers:
            if self._use_multiprocessing:
                if worker.is_alive():
                    worker.terminate()
            worker.join(timeout)
        if self._use_multiprocessing and self.queue is not None:
            self.queue.close()
        self._workers = []
        self.queue = None

    def _workers_alive(self):
        return any(worker.is_alive() for worker in self._workers)

    def get(self):
        """Yields the generator's outputs until it is exhausted or the enqueuer stops.

        # Raises
            The exception a worker's generator raised.
        """
        while True:
            try:
                success, value = self.queue.get(block=True, timeout=self.wait_time)
            except queue.Empty:
                if self._stop_event.is_set() or not self._workers_alive():
                    if self._drained():
                        return
                continue
            if not success:
                self.stop()
                raise value
            if value is not None:
                yield value

    def _drained(self):
        """True when the queue is empty after the workers are gone."""
        try:
            return self.queue.empty()
        except (OSError, ValueError):
            return True
