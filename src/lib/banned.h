/* Unsafe libc calls, banned for the whole tree (git's banned.h idea).
 * Included first in every translation unit through the compiler's -include. */
#ifndef BATON_BANNED_H
#define BATON_BANNED_H

#define BATON_BANNED(func) sorry_##func##_is_banned_use_the_safe_form

#undef strcpy
#define strcpy(x, y) BATON_BANNED(strcpy)
#undef strcat
#define strcat(x, y) BATON_BANNED(strcat)
#undef sprintf
#define sprintf(...) BATON_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BATON_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BATON_BANNED(strtok)
#undef gmtime
#define gmtime(x) BATON_BANNED(gmtime)
#undef localtime
#define localtime(x) BATON_BANNED(localtime)
#undef ctime
#define ctime(x) BATON_BANNED(ctime)
#undef atoi
#define atoi(x) BATON_BANNED(atoi)
#undef gets
#define gets(x) BATON_BANNED(gets)

#endif
