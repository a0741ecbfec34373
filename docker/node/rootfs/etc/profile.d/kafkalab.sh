# Shell settings for the course's servers (login shells: terminals and ssh).
export LANG=C.UTF-8
export NODE_PATH=/usr/local/lib/node_modules
PS1='[\u@\h \W]\$ '
alias ll='ls -alF'
