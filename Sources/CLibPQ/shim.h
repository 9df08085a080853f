/* libpq from Debian's libpq-dev (pkg-config libpq). */
#include <libpq-fe.h>
