"""The worker does not import the composition root that builds it (no bootstrap ↔ worker
cycle): only the standalone entry point, qdispatch.worker_main, imports both."""

from __future__ import annotations

import grimp


def test_the_worker_does_not_reach_the_composition_root():
    graph = grimp.build_graph("qdispatch")
    assert graph.find_shortest_chain(importer="qdispatch.bootstrap", imported="qdispatch.worker")
    assert (
        graph.find_shortest_chain(importer="qdispatch.worker", imported="qdispatch.bootstrap")
        is None
    )
    assert graph.direct_import_exists(
        importer="qdispatch.worker_main", imported="qdispatch.bootstrap"
    )
