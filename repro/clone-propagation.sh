#!/bin/bash
# Finding (image-pack.c, fixed): a clone of a shared mount taken with
# open_tree(OPEN_TREE_CLONE), attached in a new private mount namespace
# after the namespace's `mount --make-rprivate /`, is still a peer of the
# original: a bind made in the original namespace afterwards appears in
# the clone.  Prints PROPAGATED on such a kernel.  Run as root; all in a
# mount namespace of its own.  tests/integration/image-pack-bind-appears.sh
# is the test against melee-image itself.
set -e
d=$(mktemp -d)
gcc -o "$d/prop" "$(cd "$(dirname "$0")" && pwd)/clone-propagation.c"
unshare -m --propagation private sh -c "
	mkdir -p '$d/s' && mount -t tmpfs t '$d/s' && mount --make-shared '$d/s' &&
	mkdir -p '$d/s/img/x' '$d/secret' && '$d/prop' '$d/s/img' '$d/secret'"
rm -rf "$d"
