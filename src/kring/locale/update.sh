#!/bin/sh
# Re-extract the Dutch and English catalogs from the kring package and compile them.
#
#   src/kring/locale/update.sh
#
# After running it, translate every new or fuzzy entry in nl/LC_MESSAGES/django.po
# (en may stay empty: English falls back to the msgid) and run it once more so that
# the .mo files match. The .mo files are committed: users need no gettext.
# Check with: .venv/bin/pytest -q src/kring/core/tests/test_translations.py
set -eu

locale_dir=$(cd "$(dirname "$0")" && pwd)
pkg=$(dirname "$locale_dir")   # src/kring
src=$(dirname "$pkg")          # src
root=$(dirname "$src")         # the checkout
django_admin="$root/.venv/bin/django-admin"
[ -x "$django_admin" ] || django_admin=django-admin

export PYTHONPATH="$src${PYTHONPATH:+:$PYTHONPATH}"
export DJANGO_SETTINGS_MODULE=kring.test_settings

cd "$pkg"
"$django_admin" makemessages -l nl -l en -e html,txt,py \
    --ignore=tests --ignore=testing --ignore=static --no-obsolete
"$django_admin" compilemessages -l nl -l en --ignore=static

echo "Dutch catalog:"
msgfmt --statistics -o /dev/null "$locale_dir/nl/LC_MESSAGES/django.po"
grep -n -A1 '^#, .*fuzzy' "$locale_dir/nl/LC_MESSAGES/django.po" || true
