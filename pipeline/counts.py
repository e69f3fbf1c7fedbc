"""String counts in a static trie: the repair model in a few megabytes instead of eighty.

The repair model holds about 350,000 words and 280,000 character pairs with
their corpus counts.  As Python dicts that is some 80 MB in every worker
process and a seventh of a second to read back; in a MARISA trie
(``marisa-trie``) with the counts in an array it is under 5 MB, read in a
millisecond.  A trie also answers the question the word model asks at every
position of a text, "which dictionary words start here?", in one call
(:meth:`Counts.prefixes`) where a dict needs one lookup per word length.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping

import marisa_trie


class Counts:
    """A read-only mapping from strings to counts (0 for a string it lacks)."""

    __slots__ = ("_counts", "_trie", "prefix_ids", "total")

    def __init__(self, trie: marisa_trie.Trie, counts: array[int]) -> None:
        if len(trie) != len(counts):
            raise ValueError(f"{len(trie)} keys but {len(counts)} counts")
        self._trie = trie
        self._counts = counts
        self.total = sum(counts)
        # (key, key id) of every key a text starts with, shortest first: the
        # trie's own method, called directly in the word model's inner loop.
        self.prefix_ids: Callable[[str], Iterator[tuple[str, int]]] = trie.iter_prefixes_with_ids

    @classmethod
    def of(cls, mapping: Mapping[str, int]) -> Counts:
        """The counts of ``mapping`` (keys with a count of 0 or less are left out).

        >>> c = Counts.of({"重点": 5, "重": 2, "点": 1})
        >>> c.get("重点"), c.get("重心"), len(c), c.total
        (5, 0, 3, 8)
        """
        items = {key: n for key, n in mapping.items() if n > 0 and key}
        trie = marisa_trie.Trie(items)
        counts = array("q", bytes(8 * len(trie)))
        for key, n in items.items():
            counts[trie.key_id(key)] = n
        return cls(trie, counts)

    def to_bytes(self) -> tuple[bytes, bytes]:
        return self._trie.tobytes(), self._counts.tobytes()

    @classmethod
    def from_bytes(cls, trie_bytes: bytes, count_bytes: bytes) -> Counts:
        trie = marisa_trie.Trie()
        trie.frombytes(trie_bytes)
        counts = array("q")
        counts.frombytes(count_bytes)
        return cls(trie, counts)

    def get(self, key: str, default: int = 0) -> int:
        index = self._trie.get(key)
        return default if index is None else self._counts[index]

    def keys_with_prefix(self, prefix: str) -> Iterator[str]:
        """The keys that start with ``prefix`` (itself included), lazily."""
        return iter(self._trie.iterkeys(prefix))

    def get_all(self, keys: Iterable[str]) -> list[int]:
        """``[self.get(key) for key in keys]``, without a method call a key.

        >>> Counts.of({"重点": 5, "点": 1}).get_all(["点", "重", "重点"])
        [1, 0, 5]
        """
        find, counts = self._trie.get, self._counts
        return [0 if (index := find(key)) is None else counts[index] for key in keys]

    def extensions(self, prefix: str) -> dict[str, int]:
        """The keys that start with ``prefix``, less the prefix, and their counts.

        >>> Counts.of({"重点": 5, "重心": 2, "点": 1}).extensions("重") == {"点": 5, "心": 2}
        True
        """
        counts, cut = self._counts, len(prefix)
        return {key[cut:]: counts[index] for key, index in self._trie.items(prefix)}

    def __contains__(self, key: object) -> bool:
        return key in self._trie

    def __len__(self) -> int:
        return len(self._trie)

    def items(self) -> Iterator[tuple[str, int]]:
        counts = self._counts
        for key, index in self._trie.iteritems():
            yield key, counts[index]

    def logs(self, total: float) -> array[float]:
        """``log(count / total)`` of every key, by key id (as :attr:`prefix_ids` gives it).

        >>> c = Counts.of({"重": 2, "重点": 5, "重点工作": 3, "工作": 4})
        >>> [(key, round(c.logs(14)[i], 3)) for key, i in c.prefix_ids("重点工作会")]
        [('重', -1.946), ('重点', -1.03), ('重点工作', -1.54)]
        """
        minus = math.log(total)
        return array("d", (math.log(n) - minus for n in self._counts))
