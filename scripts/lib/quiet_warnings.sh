# Sourced by the scripts that start Rasa, the action server or training: third-party
# DeprecationWarnings that the pinned packages raise on import, silenced where they
# are raised (by module), so start-up shows our log lines. Our own modules' warnings
# and every other module's still show. One module a line: the module the warning
# names as its location.
_third_party_deprecations=(
  apscheduler                       # pkg_resources is deprecated
  matplotlib.fontconfig_pattern     # pyparsing's camelCase names
  packaging.markers                 # pyparsing's camelCase names
  packaging.requirements            # pyparsing's camelCase names
  pkg_resources                     # declare_namespace('mpl_toolkits', 'ruamel')
  rasa.shared.utils.validation      # pkg_resources is deprecated
  sanic_cors.extension              # distutils Version classes
  spacy.cli._util                   # click's split_arg_string
  tensorflow.lite.python.util       # jax.xla_computation
  typer                             # click's get_binary_stream / get_text_stream
  typer.completion                  # click's BaseCommand
)
_filters=()
for _module in "${_third_party_deprecations[@]}"; do
  _filters+=("ignore::DeprecationWarning:$_module")
done
PYTHONWARNINGS=$(IFS=,; echo "${_filters[*]}")${PYTHONWARNINGS:+,$PYTHONWARNINGS}
export PYTHONWARNINGS
# Rasa 3.6 pins SQLAlchemy 1.4 and uses its 1.x API; SQLAlchemy's own switch for its
# "not compatible with 2.0" notice.
export SQLALCHEMY_SILENCE_UBER_WARNING=1
unset _third_party_deprecations _filters _module
