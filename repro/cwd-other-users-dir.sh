#!/bin/bash
# A directory of the same path but not the same directory: alice works in
# her own /var/tmp/build on the host; the image's /var/tmp is the image's
# own (not bound, world-writable), where bob made /var/tmp/build first
# with a run.sh of his.  `melee demo ./run.sh` runs bob's script as alice.
. "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}/tests/integration/melee-lib.sh" || exit 1
melee_setup
private_dir /var/tmp 1777
# bob, inside the image, squats the name.
(cd /home/bob && as bob "$MELEE" demo sh -c 'mkdir /var/tmp/build && printf "#!/bin/sh\necho bob-ran-as \$(id -un)\n" > /var/tmp/build/run.sh && chmod 755 /var/tmp/build/run.sh')
# alice, on the host, in her own directory.
as alice sh -c 'mkdir -m 700 /var/tmp/build && printf "#!/bin/sh\necho alice-script\n" > /var/tmp/build/run.sh && chmod 755 /var/tmp/build/run.sh'
run as alice sh -c "cd /var/tmp/build && \"$MELEE\" demo ./run.sh"
echo "# rc=$rc out=$out"
unlike "$out" "bob-ran" "alice's command does not run in bob's directory"
done_testing
