# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the bash completion tests: complete a command line with the
# script of completion/ and bash-completion's own functions.  Sources melee-lib.sh.
. "$top_srcdir/tests/integration/melee-lib.sh"

BASH_COMPLETION_MAIN=/usr/share/bash-completion/bash_completion
[ -r "$BASH_COMPLETION_MAIN" ] ||
	skip_all "no $BASH_COMPLETION_MAIN (Debian: apt-get install bash-completion)"

# complete_line TOOL WORD...: what TOOL's completion (completion/TOOL)
# offers for the command line "TOOL WORD..." with the cursor at the end of
# the last WORD (give "" to complete a new word): COMPREPLY, one a line,
# sorted.  In a fresh non-interactive bash, as the caller (`as alice
# complete_line ...` does not work: use complete_line_as).
complete_line() {
	bash --norc --noprofile -c '
		. "$1" || exit 1
		. "$2" || exit 1
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		fn=$(complete -p "$1" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || { echo "no completion function for $1" >&2; exit 1; }
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		[ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}" | sort' \
		complete-test "$BASH_COMPLETION_MAIN" "$top_srcdir/completion/$1" "$@"
}

# complete_line_as USER TOOL WORD...: complete_line as USER.
complete_line_as() {
	local u=$1
	shift
	as "$u" env PATH="$PATH" BASH_COMPLETION_MAIN="$BASH_COMPLETION_MAIN" \
		top_srcdir="$top_srcdir" bash -c "$(declare -f complete_line); complete_line \"\$@\"" \
		complete-test "$@"
}
